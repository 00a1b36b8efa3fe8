/** Zhu et al.'s DQN learning-rate controller. */
export { DqnController } from './dqnController.js';
export { DQN_OPTION_DEFAULTS, decodeDqnOptions, type DqnOptions } from './options.js';
export { FEATURE_NAMES, FEATURE_COUNT, computeFeatures, initFeatureState, type FeatureState } from './features.js';
