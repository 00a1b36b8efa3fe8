/**
 * Zhu et al.'s reward for one controller step, in plain JavaScript (meta-training
 * reads the losses back anyway). Priorities, each shadowing the ones below it:
 *
 * 1. the action asked for a learning rate outside [lrMin, lrMax]. With
 *    `rangeMode: 'clip'` (the default) the rate is clipped into the range — as a
 *    deployed controller does — and the step pays `outOfRangeReward` (−10), below
 *    every other per-step reward, so asking to leave never beats staying; the
 *    episode goes on. With `rangeMode: 'terminate'` (the paper's wording) the episode
 *    ends with `exitPenalty`, which `exitPenaltyFor` puts below the worst discounted
 *    return of staying (see there). A loss that is no longer finite (the run
 *    diverged) always ends the episode with `exitPenalty`;
 * 2. the learning rate is too small: the loss moves by less than flatTolerance
 *    (relative) between the means of the older and the newer half of the latest W
 *    losses → `tooSmallReward` (−1). Only once W losses exist. This fires on a slow
 *    but healthy run (a loss falling less than 2 % per half-window), not only on a
 *    flat, dead one as a (max − min) range test did;
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
  /** 'clip': a rate outside the range is clipped and the step pays outOfRangeReward; 'terminate': the episode ends with exitPenalty. */
  rangeMode: RangeMode;
  /** The per-step penalty for asking to leave the range ('clip' mode). */
  outOfRangeReward: number;
  /** The terminal reward of an episode that ends by leaving the range ('terminate') or diverging: see exitPenaltyFor. */
  exitPenalty: number;
  /** Priority 2 fires when |mean(older half) − mean(newer half)| < flatTolerance · |mean(older half)|. */
  flatTolerance: number;
  tooSmallReward: number;
  tooBigReward: number;
  newMinimumReward: number;
  /** The threshold bonus per step left. */
  thresholdReward: number;
  /** The loss at which an episode is solved (Zhu et al.: 0.02). */
  threshold: number;
}

export type RangeMode = 'clip' | 'terminate';

export const REWARD_DEFAULTS: Omit<RewardConfig, 'lrMin' | 'lrMax' | 'window' | 'horizon' | 'exitPenalty'> = {
  rangeMode: 'clip',
  outOfRangeReward: -10,
  flatTolerance: 0.02,
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
  /** The learning rate this step's action asked for (before any clipping). */
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
  if (!Number.isFinite(current)) return { reward: config.exitPenalty, done: true, reason: 'diverged' };
  if (!(input.learningRate >= config.lrMin && input.learningRate <= config.lrMax)) {
    return config.rangeMode === 'clip' ? { reward: config.outOfRangeReward, done: false, reason: 'outOfRange' } : { reward: config.exitPenalty, done: true, reason: 'outOfRange' };
  }
  const olderHalf = window.slice(0, Math.floor(window.length / 2));
  if (window.length >= config.window) {
    const older = meanOf(olderHalf);
    const newer = meanOf(window.slice(olderHalf.length));
    if (Math.abs(older - newer) < config.flatTolerance * Math.abs(older)) return { reward: config.tooSmallReward, done: false, reason: 'tooSmall' };
  }
  if (olderHalf.length > 0 && current > Math.min(...olderHalf)) return { reward: config.tooBigReward, done: false, reason: 'tooBig' };
  if (current <= config.threshold) {
    const bonus = config.thresholdReward * Math.max(0, config.horizon - input.steps);
    return { reward: config.newMinimumReward + bonus, done: true, reason: 'threshold' };
  }
  if (current < input.bestBefore) return { reward: config.newMinimumReward, done: false, reason: 'newMinimum' };
  return { reward: 0, done: false, reason: 'none' };
}

const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * A terminal penalty that never pays: below the discounted return of staying
 * whatever happens next. Staying collects at least r_min per step, r_min the lowest
 * per-step reward (too small, too big, and in 'clip' mode the out-of-range step), so
 * its return is above r_min / (1 − γ); the exit penalty is that bound plus one more
 * out-of-range penalty, strictly below it (−10 / 0.05 − 10 = −210 at the defaults).
 * With the paper's −10 and γ = 0.95, staying on −1 steps was worth about −20: exiting paid.
 */
export function exitPenaltyFor(config: Pick<RewardConfig, 'outOfRangeReward' | 'tooSmallReward' | 'tooBigReward' | 'rangeMode'>, gamma: number): number {
  const perStep = [config.tooSmallReward, config.tooBigReward, 0, ...(config.rangeMode === 'clip' ? [config.outOfRangeReward] : [])];
  const worst = Math.min(...perStep);
  return worst / (1 - Math.min(gamma, 1 - 1e-6)) - Math.abs(config.outOfRangeReward);
}

/**
 * Beyond the paper: the loss the reward reads may be an exponential moving average
 * of the minibatch losses, s ← β·s + (1 − β)·L (s starts at the first loss), so
 * that minibatch sampling noise alone does not fire priority 3 ("too big") on most
 * steps, and the mean reward of a healthy run is not negative. β = 0 is the
 * paper's raw minibatch loss (a labelled option); the meta-training default is 0.9. A non-finite loss passes through unsmoothed,
 * so a diverged run still ends with priority 1.
 */
export function smoothLoss(previous: number | undefined, loss: number, beta: number): number {
  if (beta === 0 || previous === undefined || !Number.isFinite(loss) || !Number.isFinite(previous)) return loss;
  return beta * previous + (1 - beta) * loss;
}
