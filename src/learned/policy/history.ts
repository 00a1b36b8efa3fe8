/**
 * The observation of Li & Malik's coordinate-wise policy: for each coordinate, a
 * window of the last H gradients, the last H parameter changes, and the last H
 * relative loss changes (the loss is shared by a run's coordinates).
 *
 * Normalisation keeps the inputs scale-free, so one policy serves problems of any
 * scale: each coordinate's gradient window and step window are divided by their
 * own RMS, loss changes are relative, ΔL/|L|, clipped to ±1. Two more inputs
 * carry the absolute scale the normalisation removed: log₁₀ of the two RMS values
 * (divided by 4, to keep them near unit range).
 *
 * The 'paper' feature set is Li & Malik's observation as their released code builds
 * it (agent/lto/lto_world.py, `get_state`), restricted to one coordinate: the last H
 * relative objective changes (f_i − f_{i−1}) / f_{i−1}, unclipped; the current gradient
 * and the H previous ones (H + 1 values); the last H steps Δx — all raw, no
 * normalisation and no scale inputs. Missing history is zeros, as there.
 */
import tf from '#tfjs';

/** 'normalised': this module's scale-free window; 'paper': Li & Malik's raw features (see above). */
export type FeatureSet = 'normalised' | 'paper';

export interface HistoryState {
  [key: string]: tf.Tensor;
  /** g_t, g_{t−1}, …: [n, H] ('paper': [n, H + 1]) (newest first; zeros before the first step). */
  grads: tf.Tensor2D;
  /** Δθ_{t−1}, Δθ_{t−2}, …: [n, H]. */
  steps: tf.Tensor2D;
  /** Relative loss changes (L_t − L_{t−1}) / |L_{t−1}|, newest first: [n, H]. */
  lossChanges: tf.Tensor2D;
  /** The loss each coordinate saw at the previous step: [n]. */
  previousLoss: tf.Tensor1D;
}

/** Width of the gradient window: the paper's observation holds the current gradient and H previous ones. */
export const gradientWindow = (history: number, features: FeatureSet = 'normalised'): number => (features === 'paper' ? history + 1 : history);

export const featureCount = (history: number, includeParams: boolean, features: FeatureSet = 'normalised'): number =>
  gradientWindow(history, features) + 2 * history + (features === 'paper' ? 0 : 2) + (includeParams ? 1 : 0);

export function initHistory(n: number, history: number, features: FeatureSet = 'normalised'): HistoryState {
  return { grads: tf.zeros([n, gradientWindow(history, features)]), steps: tf.zeros([n, history]), lossChanges: tf.zeros([n, history]), previousLoss: tf.zeros([n]) };
}

/** Pushes a new column in front of a window, dropping the oldest. */
export function pushFront(window: tf.Tensor2D, column: tf.Tensor1D): tf.Tensor2D {
  const [n, h] = window.shape;
  return tf.concat([tf.reshape(column, [n, 1]), tf.slice(window, [0, 0], [n, h - 1])], 1);
}

const TINY = 1e-20;

function rmsNormalise(window: tf.Tensor2D): { normalised: tf.Tensor2D; logRms: tf.Tensor2D } {
  const rms = tf.sqrt(tf.mean(tf.square(window), 1, true));
  return { normalised: tf.div(window, tf.add(rms, TINY)), logRms: tf.div(tf.div(tf.log(tf.add(rms, 1e-8)), Math.LN10), 4) };
}

/**
 * The relative loss change (L_t − L_{t−1}) / |L_{t−1}| (0 at the first step); clipped to ±1 unless `clip` is false.
 * The 1e-8 only guards a zero loss (the families' losses are positive, where this is the paper's ratio).
 */
export function relativeLossChange(loss: tf.Tensor, previous: tf.Tensor, step: number, clip: boolean): tf.Tensor {
  if (step === 0) return tf.zerosLike(loss);
  const ratio = tf.div(tf.sub(loss, previous), tf.add(tf.abs(previous), 1e-8));
  return clip ? tf.clipByValue(ratio, -1, 1) : ratio;
}

/**
 * Observes step `step`: updates the gradient and loss windows with the current
 * gradient and loss, and returns the features [n, F] the policy sees.
 * The step window is updated separately (`recordStep`), once the action is known.
 */
export function observe(
  state: HistoryState,
  input: { grad: tf.Tensor1D; loss: tf.Tensor1D; params?: tf.Tensor1D; step: number },
  features: FeatureSet = 'normalised',
): { features: tf.Tensor2D; grads: tf.Tensor2D; lossChanges: tf.Tensor2D } {
  const grads = pushFront(state.grads, input.grad);
  const paper = features === 'paper';
  const change = relativeLossChange(input.loss, state.previousLoss, input.step, !paper);
  const lossChanges = pushFront(state.lossChanges, change as tf.Tensor1D);
  const parts: tf.Tensor2D[] = paper ? [grads, state.steps, lossChanges] : normalisedParts(grads, state.steps, lossChanges);
  if (input.params !== undefined) parts.push(tf.reshape(input.params, [-1, 1]));
  return { features: tf.concat(parts, 1), grads, lossChanges };
}

function normalisedParts(grads: tf.Tensor2D, steps: tf.Tensor2D, lossChanges: tf.Tensor2D): tf.Tensor2D[] {
  const g = rmsNormalise(grads);
  const s = rmsNormalise(steps);
  return [g.normalised, s.normalised, lossChanges, g.logRms, s.logRms];
}

/** The state after the action: the step enters its window, the loss becomes "previous". */
export function recordStep(state: HistoryState, observed: { grads: tf.Tensor2D; lossChanges: tf.Tensor2D }, update: tf.Tensor1D, loss: tf.Tensor1D): HistoryState {
  return { grads: observed.grads, lossChanges: observed.lossChanges, steps: pushFront(state.steps, update), previousLoss: loss };
}
