/** The DQN meta-training configuration (suite files' `metaTrain.config` for 'dqn-controller'). */
import * as t from 'io-ts';
import { decodeWithDefaults, requirePositiveIntegers } from '../decodeConfig.js';
import { REWARD_DEFAULTS } from './reward.js';

export const DqnConfig = t.exact(
  t.partial({
    method: t.literal('dqn'),
    /** Training episodes, each T = hyperParams.horizon optimizee steps. */
    episodes: t.number,
    /** Episodes run side by side as rows of one problem (each row: its own lr and ε-greedy draws). */
    parallelEpisodes: t.number,
    /** 'fixed': every episode starts from the same meta-train seed (same init, same batch order); 'random': a new seed per episode and row. */
    protocol: t.keyof({ fixed: null, random: null }),
    gamma: t.number,
    /** Adam's step size for the Q-network. */
    learningRate: t.number,
    /** Replay minibatch size. */
    batchSize: t.number,
    replayCapacity: t.number,
    /** Learner steps between target-network syncs. */
    targetSync: t.number,
    /** Q-learning minibatch updates after every environment step. */
    updatesPerStep: t.number,
    /** Transitions in the replay buffer before learning starts. */
    learningStarts: t.number,
    epsilonStart: t.number,
    epsilonEnd: t.number,
    /** Environment steps (optimizee steps of all parallel rows together) over which ε decays linearly. */
    epsilonDecaySteps: t.number,
    huberDelta: t.number,
    maxGradNorm: t.number,
    /** Validate the greedy frozen controller every this many episodes (and after the last). */
    validateEvery: t.number,
    validationTasks: t.number,
    seed: t.number,
    // The reward's constants (see reward.ts); lrMin, lrMax, window and T come from hyperParams.
    outOfRangeReward: t.number,
    flatTolerance: t.number,
    tooSmallReward: t.number,
    tooBigReward: t.number,
    newMinimumReward: t.number,
    thresholdReward: t.number,
    /** The loss that solves an episode; default: the task's threshold, else 0.02 (Zhu et al.). */
    threshold: t.number,
    /** β of the moving average of the minibatch losses that the reward reads (0: the raw loss, as the paper; see reward.ts). */
    rewardSmoothing: t.number,
  }),
);
export type DqnConfig = Required<t.TypeOf<typeof DqnConfig>>;

export const DQN_DEFAULTS: DqnConfig = {
  method: 'dqn',
  episodes: 100,
  parallelEpisodes: 1,
  protocol: 'random',
  // A learning-rate change shows in the loss over tens of steps; 0.95 credits ~20 steps ahead.
  gamma: 0.95,
  learningRate: 0.001,
  batchSize: 32,
  replayCapacity: 2000,
  targetSync: 100,
  updatesPerStep: 1,
  learningStarts: 100,
  epsilonStart: 1,
  epsilonEnd: 0.05,
  epsilonDecaySteps: 5000,
  huberDelta: 1,
  maxGradNorm: 10,
  validateEvery: 10,
  validationTasks: 4,
  seed: 0,
  rewardSmoothing: 0,
  ...REWARD_DEFAULTS,
};

/** The decoded config: `thresholdFromTask` when the suite left the threshold to the task (the task's own, else the default). */
export type DecodedDqnConfig = DqnConfig & { thresholdFromTask: boolean };

export function decodeDqnConfig(input: unknown, path = 'metaTrain'): DecodedDqnConfig {
  const config = decodeWithDefaults(DqnConfig, DQN_DEFAULTS, input, path);
  requirePositiveIntegers(
    config,
    ['episodes', 'parallelEpisodes', 'batchSize', 'replayCapacity', 'targetSync', 'updatesPerStep', 'epsilonDecaySteps', 'validateEvery', 'validationTasks'],
    path,
  );
  if (!Number.isInteger(config.learningStarts) || config.learningStarts < 0) throw new Error(`${path}.learningStarts: expected a non-negative integer, got ${config.learningStarts}`);
  for (const key of ['gamma', 'epsilonStart', 'epsilonEnd'] as const) {
    if (!(config[key] >= 0 && config[key] <= 1)) throw new Error(`${path}.${key}: expected a number in [0, 1], got ${config[key]}`);
  }
  for (const key of ['learningRate', 'huberDelta', 'maxGradNorm', 'threshold'] as const) {
    if (!(config[key] > 0)) throw new Error(`${path}.${key}: expected a positive number, got ${config[key]}`);
  }
  if (!(config.rewardSmoothing >= 0 && config.rewardSmoothing < 1)) throw new Error(`${path}.rewardSmoothing: expected a number in [0, 1), e.g. 0.9; got ${config.rewardSmoothing}`);
  if (!(config.flatTolerance >= 0)) throw new Error(`${path}.flatTolerance: expected a non-negative number, got ${config.flatTolerance}`);
  return { ...config, thresholdFromTask: (input as Record<string, unknown> | undefined)?.['threshold'] === undefined };
}
