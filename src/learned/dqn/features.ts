/**
 * The 18 state features of Zhu et al.'s DQN learning-rate controller, computed
 * per row with tensors only (rows = independent runs batched as [rows, n]
 * parameters, one loss per row). Training and the frozen rule share this code, so
 * the controller sees at deployment exactly what it was trained on.
 *
 * Lₜ is the loss of this step, θₜ the parameters, gₜ the gradient, ηₜ the learning
 * rate in use (before this step's action), W the loss window (20), T the horizon.
 * mag(x) = log₁₀(x + 10⁻⁸) / 4 puts a magnitude's decades on a scale of about [−2, 0.5].
 * Losses enter as natural logs, so every loss feature but the first two is scale-free
 * (a ratio of losses). Losses are assumed positive (cross-entropies); they are floored at 10⁻⁸.
 *
 * | #  | group     | feature                                             | normalisation                      |
 * |----|-----------|-----------------------------------------------------|------------------------------------|
 * | 0  | step      | progress t / T                                      | 0 → 1 over an episode              |
 * | 1  | loss      | current loss                                        | ln Lₜ                              |
 * | 2  | loss      | previous loss                                       | ln Lₜ₋₁ (ln L₀ at t = 0)           |
 * | 3  | loss      | Δloss                                               | ln Lₜ − ln Lₜ₋₁ (relative change)  |
 * | 4  | loss      | max of the window                                   | ln max(window) − ln Lₜ  (≥ 0)      |
 * | 5  | loss      | min of the window                                   | ln min(window) − ln Lₜ  (≤ 0)      |
 * | 6  | loss      | min of the window's older half                      | ln min(oldest W/2) − ln Lₜ (< 0: the reward's "lr too big" test fires) |
 * | 7  | params    | fraction of coordinates that increased since t − 1  | [0, 1] (0 at t = 0)                |
 * | 8  | params    | fraction of coordinates that decreased since t − 1  | [0, 1] (0 at t = 0)                |
 * | 9  | params    | change ratio mean|θₜ − θₜ₋₁| / (mean|θₜ₋₁| + 10⁻⁸)  | mag (a ratio of means: per-coordinate ratios blow up at zero-initialised biases) |
 * | 10 | gradient  | mean |g| one step ago                               | mag (= mean|gₜ| while there is no history) |
 * | 11 | gradient  | mean |g| two steps ago                               | mag                                |
 * | 12 | gradient  | mean |g| three steps ago                             | mag                                |
 * | 13 | gradient  | current mean |gₜ|                                   | mag                                |
 * | 14 | gradient  | sum of positive gradients / n                       | mag                                |
 * | 15 | gradient  | sum of negative gradients / n (as a magnitude)      | mag                                |
 * | 16 | others    | consecutive loss decreases (Lₜ < Lₜ₋₁ < …)          | min(count, W) / W                  |
 * | 17 | others    | current learning rate ηₜ                            | log₁₀ ηₜ (about [−3, −0.3])        |
 *
 * Windows start filled with the first step's values (the first loss, the first mean |g|),
 * so the first step sees "no change" rather than a jump from zero.
 */
import tf from '#tfjs';

export const FEATURE_NAMES = [
  'progress',
  'logLoss',
  'logPreviousLoss',
  'logLossChange',
  'windowMax',
  'windowMin',
  'olderHalfMin',
  'paramsUp',
  'paramsDown',
  'changeRatio',
  'gradMean1',
  'gradMean2',
  'gradMean3',
  'gradMean',
  'gradPositive',
  'gradNegative',
  'monotoneDecreases',
  'logLearningRate',
] as const;
export const FEATURE_COUNT = FEATURE_NAMES.length;

const EPS = 1e-8;
const PREVIOUS_GRADS = 3;

export interface FeatureState {
  [key: string]: tf.Tensor;
  /** The latest W losses, oldest first: [rows, W]. */
  losses: tf.Tensor2D;
  /** θₜ₋₁: [rows, n]. */
  previousParams: tf.Tensor2D;
  /** mean |g| of the previous 3 steps, newest first: [rows, 3]. */
  gradMeans: tf.Tensor2D;
  /** Consecutive loss decreases: [rows, 1]. */
  monotone: tf.Tensor2D;
  /** 0 before the first step, 1 after: windows are filled with the first values. */
  started: tf.Scalar;
}

export interface FeatureInput {
  /** Lₜ: [rows]. */
  loss: tf.Tensor;
  /** θₜ: [rows, n]. */
  params: tf.Tensor2D;
  /** gₜ: [rows, n]. */
  grads: tf.Tensor2D;
  /** ηₜ: [rows, 1]. */
  learningRate: tf.Tensor2D;
  /** t / T. */
  progress: number;
}

/** The state before the first step; `params` are the starting parameters [rows, n]. */
export function initFeatureState(params: tf.Tensor2D, window: number): FeatureState {
  if (!Number.isInteger(window) || window < 4) throw new Error(`the loss window must be an integer ≥ 4, got ${window}`);
  const rows = params.shape[0];
  return {
    losses: tf.zeros([rows, window]),
    previousParams: tf.clone(params),
    gradMeans: tf.zeros([rows, PREVIOUS_GRADS]),
    monotone: tf.zeros([rows, 1]),
    started: tf.scalar(0),
  };
}

const magnitude = (x: tf.Tensor) => tf.div(tf.log(tf.add(x, EPS)), 4 * Math.LN10);

/** Features [rows, 18] of this step, and the state after it. */
export function computeFeatures(input: FeatureInput, state: FeatureState): { features: tf.Tensor2D; state: FeatureState } {
  return tf.tidy(() => {
    const [rows, w] = state.losses.shape;
    const loss = tf.reshape(input.loss, [rows, 1]);
    // Before the first step the windows hold nothing: fill them with this step's values.
    const fresh = tf.sub(1, state.started);
    const blend = (kept: tf.Tensor, first: tf.Tensor) => tf.add(tf.mul(kept, state.started), tf.mul(first, fresh));

    const losses = blend(tf.concat([tf.slice(state.losses, [0, 1], [rows, w - 1]), loss], 1), tf.tile(loss, [1, w])) as tf.Tensor2D;
    const logs = tf.log(tf.maximum(losses, EPS));
    const logNow = tf.slice(logs, [0, w - 1], [rows, 1]);
    const logPrevious = tf.slice(logs, [0, w - 2], [rows, 1]);
    const relative = (x: tf.Tensor) => tf.sub(x, logNow);
    const olderHalf = tf.slice(logs, [0, 0], [rows, Math.floor(w / 2)]);

    const delta = tf.sub(input.params, state.previousParams);
    const fraction = (mask: tf.Tensor) => tf.mean(tf.cast(mask, 'float32'), 1, true);
    const changeRatio = tf.div(tf.mean(tf.abs(delta), 1, true), tf.add(tf.mean(tf.abs(state.previousParams), 1, true), EPS));

    const gradMean = tf.mean(tf.abs(input.grads), 1, true);
    const gradMeans = blend(state.gradMeans, tf.tile(gradMean, [1, PREVIOUS_GRADS]));
    const gradPositive = tf.mean(tf.relu(input.grads), 1, true);
    const gradNegative = tf.mean(tf.relu(tf.neg(input.grads)), 1, true);

    const decreased = tf.cast(tf.less(tf.slice(losses, [0, w - 1], [rows, 1]), tf.slice(losses, [0, w - 2], [rows, 1])), 'float32');
    const monotone = tf.mul(tf.add(state.monotone, 1), decreased) as tf.Tensor2D;

    const features = tf.concat(
      [
        tf.fill([rows, 1], input.progress),
        logNow,
        logPrevious,
        tf.sub(logNow, logPrevious),
        relative(tf.max(logs, 1, true)),
        relative(tf.min(logs, 1, true)),
        relative(tf.min(olderHalf, 1, true)),
        fraction(tf.greater(delta, 0)),
        fraction(tf.less(delta, 0)),
        magnitude(changeRatio),
        magnitude(gradMeans),
        magnitude(gradMean),
        magnitude(gradPositive),
        magnitude(gradNegative),
        tf.div(tf.minimum(monotone, w), w),
        tf.div(tf.log(input.learningRate), Math.LN10),
      ],
      1,
    ) as tf.Tensor2D;
    const next: FeatureState = {
      losses,
      previousParams: tf.clone(input.params),
      gradMeans: tf.concat([gradMean, tf.slice(gradMeans, [0, 0], [rows, PREVIOUS_GRADS - 1])], 1) as tf.Tensor2D,
      monotone,
      started: tf.scalar(1),
    };
    return { features, state: next };
  });
}
