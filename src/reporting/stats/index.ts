/** Statistics for the report: robust centres, bootstrap intervals, paired tests, normalisation, performance profiles. */
export { iqm, mean, median, quantile } from './centre.js';
export { bootstrapCi, stratifiedBootstrap, type BootstrapOptions, type Interval } from './bootstrap.js';
export { signTest, binomialHalfCdf, type PairedTest } from './signTest.js';
export { wilcoxonSignedRank, normalCdf } from './wilcoxon.js';
export { normaliseTo } from './normalise.js';
export { performanceProfiles, performanceRatios, profileCurve, profileScore, tauGrid, R_MAX, type CostTable, type Profile } from './profiles.js';
