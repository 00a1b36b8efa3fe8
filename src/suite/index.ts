/** `alphaopt/suite`: suites beyond reading and running them — run records, planning, memory sizing, retries. */
export { readSuite, decodeSuite, type Suite, type PlannedOptimizer, type PlannedRule, type LearnedOptimizerPlan } from './decode.js';
export { runSuite, type RunOptions, type RunSummary } from './runner.js';
export { SuiteError } from './errors.js';
export { RunRecord, runKey } from './record.js';
export { planGroups, sizeGroups, splitGroup, type Group, type SizingOptions } from './plan.js';
export { measurePeakBytes, probeRowFootprint, estimateGroupBytes, rowsThatFit, SAFETY_FRACTION, type RowFootprint, type GroupSize } from './sizing.js';
export { runHalvingOnFailure, isOutOfMemory, type HalvingHooks } from './retry.js';
export { collectProvenance, type Provenance } from '../provenance.js';
