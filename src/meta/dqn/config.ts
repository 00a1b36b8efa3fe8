/** The DQN meta-training configuration (suite files' `metaTrain.config` for 'dqn-controller'). */
import t from '#cjs/io-ts';
import * as values from '../../codec/values.js';
import { decodeWithDefaults } from '../decodeConfig.js';
import { exitPenaltyFor, REWARD_DEFAULTS, type RewardConfig } from './reward.js';

export const DqnConfig = t.exact(
  t.partial({
    method: t.literal('dqn'),
    /** Training episodes, each T = hyperParams.horizon optimizee steps. */
    episodes: values.positiveInt,
    /** Episodes run side by side as rows of one problem (each row: its own lr and ε-greedy draws). */
    parallelEpisodes: values.positiveInt,
    /** 'fixed': every episode starts from the same meta-train seed (same init, same batch order); 'random': a new seed per episode and row. */
    protocol: t.keyof({ fixed: null, random: null }),
    /**
     * 'fixed' protocol: the seed of the one start (initial weights and minibatch order). null: the family's first
     * meta-train seed (a start no suite run uses). A suite seed (e.g. 0) lets the suite evaluate the controller on
     * its own start, as the paper does (label such runs: they measure fitting one start, not generalising).
     */
    fixedSeed: t.union([t.number, t.null]),
    gamma: values.fraction,
    /** Adam's step size for the Q-network. */
    learningRate: values.positive,
    /** Replay minibatch size. */
    batchSize: values.positiveInt,
    replayCapacity: values.positiveInt,
    /** Learner steps between target-network syncs. */
    targetSync: values.positiveInt,
    /** Q-learning minibatch updates after every environment step. */
    updatesPerStep: values.positiveInt,
    /** Transitions in the replay buffer before learning starts. */
    learningStarts: values.nonNegativeInt,
    epsilonStart: values.fraction,
    epsilonEnd: values.fraction,
    /** Environment steps (optimizee steps of all parallel rows together) over which ε decays linearly. */
    epsilonDecaySteps: values.positiveInt,
    huberDelta: values.positive,
    maxGradNorm: values.positive,
    /** Validate the greedy frozen controller every this many episodes (and after the last). */
    validateEvery: values.positiveInt,
    validationTasks: values.positiveInt,
    /** How the validation seeds' scores combine: 'iqm' (interquartile mean: robust to a diverged or lucky seed) or 'mean'. */
    validationScore: t.keyof({ iqm: null, mean: null }),
    /** Keep a snapshot only once ε has reached its floor (earlier ones are mostly untrained); the last episode is always a candidate. */
    selectAfterEpsilonFloor: t.boolean,
    seed: t.number,
    // The reward's constants (see reward.ts); lrMin, lrMax, window and T come from hyperParams.
    /** 'clip' (default): a rate outside [lrMin, lrMax] is clipped, as at deployment, and the step penalised; 'terminate': the paper's wording, the episode ends (with a penalty that never pays). */
    rangeMode: t.keyof({ clip: null, terminate: null }),
    outOfRangeReward: t.number,
    flatTolerance: t.number,
    tooSmallReward: t.number,
    tooBigReward: t.number,
    newMinimumReward: t.number,
    thresholdReward: t.number,
    /** The loss that solves an episode; default: the task's threshold, else 0.02 (Zhu et al.). */
    threshold: values.positive,
    /** β of the moving average of the minibatch losses that the reward reads (0: the paper's raw loss; default 0.9, see reward.ts). */
    rewardSmoothing: t.number,
  }),
);
export type DqnConfig = Required<t.TypeOf<typeof DqnConfig>>;

export const DQN_DEFAULTS: DqnConfig = {
  method: 'dqn',
  episodes: 100,
  parallelEpisodes: 1,
  protocol: 'random',
  fixedSeed: null,
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
  // ≥ 16 seeds with a robust score: 4 seeds picked an essentially untrained early snapshot.
  validationTasks: 16,
  validationScore: 'iqm',
  selectAfterEpsilonFloor: true,
  seed: 0,
  // A raw batch-32 loss fires "too big" on most steps from sampling noise alone (mean reward < 0 on healthy runs).
  rewardSmoothing: 0.9,
  ...REWARD_DEFAULTS,
};

/** The decoded config: `thresholdFromTask` when the suite left the threshold to the task (the task's own, else the default). */
export type DecodedDqnConfig = DqnConfig & { thresholdFromTask: boolean };

export function decodeDqnConfig(input: unknown, path = 'metaTrain'): DecodedDqnConfig {
  const config = decodeWithDefaults(DqnConfig, DQN_DEFAULTS, input, path);
  if (!(config.rewardSmoothing >= 0 && config.rewardSmoothing < 1)) throw new Error(`${path}.rewardSmoothing: expected a number in [0, 1), e.g. 0.9; got ${config.rewardSmoothing}`);
  if (config.fixedSeed !== null && !Number.isSafeInteger(config.fixedSeed)) throw new Error(`${path}.fixedSeed: expected an integer seed or null, got ${config.fixedSeed}`);
  if (!(config.outOfRangeReward < Math.min(config.tooSmallReward, config.tooBigReward, 0))) {
    throw new Error(`${path}.outOfRangeReward: must be below tooSmallReward, tooBigReward and 0 (asking to leave the range must never pay), got ${config.outOfRangeReward}`);
  }
  if (!(config.flatTolerance >= 0)) throw new Error(`${path}.flatTolerance: expected a non-negative number, got ${config.flatTolerance}`);
  return { ...config, thresholdFromTask: (input as Record<string, unknown> | undefined)?.['threshold'] === undefined };
}

/** The reward's constants for a config, the controller's range, window and horizon, and the loss threshold. */
export function rewardConfigOf(config: DqnConfig, controller: Pick<RewardConfig, 'lrMin' | 'lrMax' | 'window' | 'horizon'>, threshold: number): RewardConfig {
  const penalties = { rangeMode: config.rangeMode, outOfRangeReward: config.outOfRangeReward, tooSmallReward: config.tooSmallReward, tooBigReward: config.tooBigReward };
  return {
    ...penalties,
    exitPenalty: exitPenaltyFor(penalties, config.gamma),
    lrMin: controller.lrMin,
    lrMax: controller.lrMax,
    window: controller.window,
    horizon: controller.horizon,
    flatTolerance: config.flatTolerance,
    newMinimumReward: config.newMinimumReward,
    thresholdReward: config.thresholdReward,
    threshold,
  };
}
