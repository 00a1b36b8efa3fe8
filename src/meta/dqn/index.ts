/** DQN (Zhu et al.) as a registered meta-trainer: it trains the DQN learning-rate controller. */
import type { DqnController } from '../../learned/dqn/dqnController.js';
import type { MetaTrainer } from '../trainer.js';
import { decodeDqnConfig, DQN_DEFAULTS, DqnConfig, type DecodedDqnConfig } from './config.js';
import { trainDqn } from './trainDqn.js';

export { DQN_DEFAULTS, decodeDqnConfig, rewardConfigOf, type DqnConfig, type DecodedDqnConfig } from './config.js';
export { rewardFor, smoothLoss, exitPenaltyFor, REWARD_DEFAULTS, type RangeMode, type RewardConfig, type RewardInput, type RewardOutcome } from './reward.js';
export { ReplayBuffer, type Transition, type ReplayBatch } from './replay.js';
export { DqnLearner } from './learner.js';
export { epsilonAt } from './exploration.js';
export { trainDqn, validateController, type DqnMetaTrainReport } from './trainDqn.js';

export const dqnTrainer: MetaTrainer<DecodedDqnConfig> = {
  method: 'dqn',
  codec: DqnConfig,
  defaults: { ...DQN_DEFAULTS, thresholdFromTask: true },
  decode: (input, path) => decodeDqnConfig(input, path),
  accepts: (learned) => learned.kind === 'dqn-controller',
  train: (learned, family, config, onProgress) => trainDqn(learned as unknown as DqnController, family, config, onProgress),
};
