/** Zhu et al.'s DQN learning-rate controller. */
export { DqnController } from './dqnController.js';
export { DQN_OPTION_DEFAULTS, decodeDqnOptions, type DqnOptions } from './options.js';
export { DQN_DEFAULTS, decodeDqnConfig, type DqnConfig } from '../../meta/dqn/config.js';
export { FEATURE_NAMES, FEATURE_COUNT, computeFeatures, initFeatureState, type FeatureState } from './features.js';
export { rewardFor, smoothLoss, REWARD_DEFAULTS, type RewardConfig, type RewardInput, type RewardOutcome } from '../../meta/dqn/reward.js';
export { ReplayBuffer, type Transition, type ReplayBatch } from '../../meta/dqn/replay.js';
export { DqnLearner } from '../../meta/dqn/learner.js';
export { epsilonAt } from '../../meta/dqn/exploration.js';
export { trainDqn, validateController, type DqnMetaTrainReport } from '../../meta/dqn/trainDqn.js';
