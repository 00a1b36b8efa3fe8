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
 */
import * as tf from '@tensorflow/tfjs';

export interface HistoryState {
  [key: string]: tf.Tensor;
  /** g_t, g_{t−1}, …: [n, H] (newest first; zeros before the first step). */
  grads: tf.Tensor2D;
  /** Δθ_{t−1}, Δθ_{t−2}, …: [n, H]. */
  steps: tf.Tensor2D;
  /** Relative loss changes (L_t − L_{t−1}) / |L_{t−1}|, newest first: [n, H]. */
  lossChanges: tf.Tensor2D;
  /** The loss each coordinate saw at the previous step: [n]. */
  previousLoss: tf.Tensor1D;
}

export const featureCount = (history: number, includeParams: boolean): number => 3 * history + 2 + (includeParams ? 1 : 0);

export function initHistory(n: number, history: number): HistoryState {
  return { grads: tf.zeros([n, history]), steps: tf.zeros([n, history]), lossChanges: tf.zeros([n, history]), previousLoss: tf.zeros([n]) };
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
 * Observes step `step`: updates the gradient and loss windows with the current
 * gradient and loss, and returns the features [n, F] the policy sees.
 * The step window is updated separately (`recordStep`), once the action is known.
 */
export function observe(
  state: HistoryState,
  input: { grad: tf.Tensor1D; loss: tf.Tensor1D; params?: tf.Tensor1D; step: number },
): { features: tf.Tensor2D; grads: tf.Tensor2D; lossChanges: tf.Tensor2D } {
  const grads = pushFront(state.grads, input.grad);
  const change =
    input.step === 0
      ? tf.zerosLike(input.loss)
      : tf.clipByValue(tf.div(tf.sub(input.loss, state.previousLoss), tf.add(tf.abs(state.previousLoss), 1e-8)), -1, 1);
  const lossChanges = pushFront(state.lossChanges, change as tf.Tensor1D);
  const g = rmsNormalise(grads);
  const s = rmsNormalise(state.steps);
  const parts: tf.Tensor2D[] = [g.normalised, s.normalised, lossChanges, g.logRms, s.logRms];
  if (input.params !== undefined) parts.push(tf.reshape(input.params, [-1, 1]));
  return { features: tf.concat(parts, 1), grads, lossChanges };
}

/** The state after the action: the step enters its window, the loss becomes "previous". */
export function recordStep(state: HistoryState, observed: { grads: tf.Tensor2D; lossChanges: tf.Tensor2D }, update: tf.Tensor1D, loss: tf.Tensor1D): HistoryState {
  return { grads: observed.grads, lossChanges: observed.lossChanges, steps: pushFront(state.steps, update), previousLoss: loss };
}
