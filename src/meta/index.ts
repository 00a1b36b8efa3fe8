/**
 * `alphaopt/meta`: the meta-training machinery behind `metaTrain` — truncated BPTT and ES estimators, the ES
 * worker pool, unrolls, PPO for the coordinate-wise policy, MAML initialisations — and their configs.
 */
export { metaTrain } from './metaTrain.js';
export { decodeMetaTrainConfig, META_TRAIN_DEFAULTS, type MetaTrainConfig } from './config.js';
export { trainTruncated, evaluateRule, type Estimator, type Estimate } from './truncated.js';
export { bpttEstimator } from './bptt.js';
export { esEstimator } from './es.js';
// Also lets metaTrain run ES pairs on worker processes (`workers` > 1), which the browser build cannot.
export { openEsPairPool } from './esPairs.js';
export { unroll, objective } from './objective.js';
export { stopGradient } from './stopGradient.js';
export { trainPpo, validatePolicy } from './ppo/trainPpo.js';
export { decodePpoConfig, PPO_DEFAULTS, type PpoConfig } from './ppo/config.js';
export { trainMamlInitialization, decodeMamlConfig, MAML_DEFAULTS, type MamlConfig, type MamlResult } from './maml.js';
export { saveMamlInitialization, loadMamlInitialization } from './mamlCheckpoint.js';
