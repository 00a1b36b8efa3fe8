/**
 * Zhu et al.'s reward for one controller step, in plain JavaScript (meta-training
 * reads the losses back anyway). Priorities, each shadowing the ones below it:
 *
 * 1. the learning rate left [lrMin, lrMax] (or the loss is no longer finite: the
 *    run diverged) → `outOfRangeReward` (−10), and the episode ends;
 * 2. the latest W losses barely move — (max − min) < flatTolerance · mean — the
 *    learning rate is too small → `tooSmallReward` (−1). Only once W losses exist;
 *    the tolerance is relative so that it means the same at any loss scale;
 * 3. the current loss is above the minimum of the older half of the latest W
 *    losses: the learning rate is too big → `tooBigReward` (−1);
 * 4. the current loss is at or below `threshold` (0.02): the episode ends with
 *    newMinimumReward + thresholdReward · (T − steps), a bonus for every step saved
 *    (the sooner, the larger). The first loss under the threshold is always a new
 *    minimum, as every earlier one was above it. thresholdReward (2) is set above
 *    newMinimumReward so that finishing early beats collecting new minima until T:
 *    with a bonus that did not grow with the steps left (we tried 10 · (1 − steps/T)),
 *    a slow run's +1 per step outweighed the bonus and the agent learned not to finish;
 * 5. the current loss is below every earlier loss of the episode → `newMinimumReward` (+1);
 * 6. otherwise 0.
 */
export interface RewardConfig {
  lrMin: number;
  lrMax: number;
  /** W: the number of latest losses priorities 2 and 3 look at. */
  window: number;
  /** Episode length T (the threshold bonus counts the steps left, T − steps). */
  horizon: number;
  outOfRangeReward: number;
  /** Priority 2 fires when (max − min) of the window < flatTolerance · |mean of the window|. */
  flatTolerance: number;
  tooSmallReward: number;
  tooBigReward: number;
  newMinimumReward: number;
  /** The threshold bonus per step left. */
  thresholdReward: number;
  /** The loss at which an episode is solved (Zhu et al.: 0.02). */
  threshold: number;
}

export const REWARD_DEFAULTS: Omit<RewardConfig, 'lrMin' | 'lrMax' | 'window' | 'horizon'> = {
  outOfRangeReward: -10,
  flatTolerance: 0.01,
  tooSmallReward: -1,
  tooBigReward: -1,
  newMinimumReward: 1,
  thresholdReward: 2,
  threshold: 0.02,
};

export interface RewardInput {
  /** The latest losses of the episode, oldest first, the current loss last (at most W are read). */
  losses: readonly number[];
  /** The lowest loss of the episode before the current one (Infinity at the start). */
  bestBefore: number;
  /** The learning rate after this step's action. */
  learningRate: number;
  /** Steps taken so far in the episode (1 after the first action). */
  steps: number;
}

export type RewardReason = 'outOfRange' | 'diverged' | 'tooSmall' | 'tooBig' | 'threshold' | 'newMinimum' | 'none';

export interface RewardOutcome {
  reward: number;
  done: boolean;
  /** Which priority decided (for tests and diagnostics). */
  reason: RewardReason;
}

export function rewardFor(input: RewardInput, config: RewardConfig): RewardOutcome {
  const window = input.losses.slice(-config.window);
  const current = window[window.length - 1];
  if (current === undefined) throw new Error('rewardFor: needs at least the current loss');
  if (!(input.learningRate >= config.lrMin && input.learningRate <= config.lrMax)) return { reward: config.outOfRangeReward, done: true, reason: 'outOfRange' };
  if (!Number.isFinite(current)) return { reward: config.outOfRangeReward, done: true, reason: 'diverged' };
  if (window.length >= config.window) {
    const max = Math.max(...window);
    const min = Math.min(...window);
    const mean = window.reduce((a, b) => a + b, 0) / window.length;
    if (max - min < config.flatTolerance * Math.abs(mean)) return { reward: config.tooSmallReward, done: false, reason: 'tooSmall' };
  }
  const olderHalf = window.slice(0, Math.floor(window.length / 2));
  if (olderHalf.length > 0 && current > Math.min(...olderHalf)) return { reward: config.tooBigReward, done: false, reason: 'tooBig' };
  if (current <= config.threshold) {
    const bonus = config.thresholdReward * Math.max(0, config.horizon - input.steps);
    return { reward: config.newMinimumReward + bonus, done: true, reason: 'threshold' };
  }
  if (current < input.bestBefore) return { reward: config.newMinimumReward, done: false, reason: 'newMinimum' };
  return { reward: 0, done: false, reason: 'none' };
}

/**
 * Beyond the paper: the loss the reward reads may be an exponential moving average
 * of the minibatch losses, s ← β·s + (1 − β)·L (s starts at the first loss), so
 * that minibatch sampling noise alone does not fire priority 3 ("too big") on most
 * steps. β = 0 is the paper's raw loss. A non-finite loss passes through unsmoothed,
 * so a diverged run still ends with priority 1.
 */
export function smoothLoss(previous: number | undefined, loss: number, beta: number): number {
  if (beta === 0 || previous === undefined || !Number.isFinite(loss) || !Number.isFinite(previous)) return loss;
  return beta * previous + (1 - beta) * loss;
}
