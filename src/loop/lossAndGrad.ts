/**
 * The optimizee's loss rows and their gradient at θ: always the task's full
 * definition, its gradient noise included, whoever asks (suite runs, meta-training,
 * RL episodes, held-out scoring), so that a rule meta-trains on what it is tested on.
 */
import tf from '#tfjs';
import { gradientNoise } from '../tasks/noise.js';
import type { Problem, Task } from '../tasks/types.js';
import { stopGradient } from './stopGradient.js';

export interface LossAndGrad {
  /** Each row's loss at θ: [rows]. Kept (outside any tidy): the caller disposes it. */
  rows: tf.Tensor1D;
  /** Each row's gradient (rows are independent, so the gradient of the sum is each row's own): [rows, D]. */
  grad: tf.Tensor2D;
}

/**
 * `firstOrder` cuts the gradient from a meta-gradient's tape (the L2L paper's
 * ∂∇θ/∂φ = 0); the noise is a constant either way.
 */
export function lossAndGrad(task: Task, problem: Problem, theta: tf.Tensor2D, step: number, options: { firstOrder?: boolean } = {}): LossAndGrad {
  const { rows, grad: raw } = problem.lossAndGrad === undefined ? taped(problem, theta, step) : problem.lossAndGrad(theta, step);
  tf.keep(rows);
  const grad = options.firstOrder === true ? stopGradient(raw) : raw;
  if (grad !== raw) raw.dispose();
  if (task.gradientNoise === undefined || task.gradientNoise === 0) return { rows, grad };
  const noisy = tf.tidy(() => tf.add(grad, gradientNoise(problem.seeds, step, task.dimension, task.gradientNoise!))) as tf.Tensor2D;
  grad.dispose();
  return { rows, grad: noisy };
}

/** The gradient of the task's loss by tf.grad, for tasks that write out none. */
function taped(problem: Problem, theta: tf.Tensor2D, step: number): LossAndGrad {
  let rows: tf.Tensor1D | undefined;
  const grad = tf.grad((x: tf.Tensor) => {
    rows = tf.keep(problem.loss(x as tf.Tensor2D, step));
    return tf.sum(rows);
  })(theta) as tf.Tensor2D;
  return { rows: rows!, grad };
}
