/** Zhu et al.'s DQN learning-rate controller. */
export { DqnController } from './dqnController.js';
export { DQN_OPTION_DEFAULTS, decodeDqnOptions, type DqnOptions } from './options.js';
export { DQN_DEFAULTS, decodeDqnConfig, rewardConfigOf, type DqnConfig } from './config.js';
export { FEATURE_NAMES, FEATURE_COUNT, computeFeatures, initFeatureState, type FeatureState } from './features.js';
export { rewardFor, smoothLoss, exitPenaltyFor, REWARD_DEFAULTS, type RangeMode, type RewardConfig, type RewardInput, type RewardOutcome } from './reward.js';
export { ReplayBuffer, type Transition, type ReplayBatch } from './replay.js';
export { DqnLearner } from './learner.js';
export { epsilonAt } from './exploration.js';
export { trainDqn, validateController, type DqnMetaTrainReport } from './trainDqn.js';
