/** Batched linear model outputs for the regression/classification families: θ = [w (d), b] per row. */
import tf from '#tfjs';

/** x [rows, n, d], θ [rows, d + 1] → outputs [rows, n] = x·w + b, and the weights w [rows, d] (for ℓ2 terms). */
export function linearOutputs(x: tf.Tensor3D, theta: tf.Tensor2D): { outputs: tf.Tensor2D; weights: tf.Tensor2D } {
  const [rows, d] = [theta.shape[0], x.shape[2]];
  const weights = tf.slice(theta, [0, 0], [rows, d]);
  const bias = tf.slice(theta, [0, d], [rows, 1]);
  return { outputs: tf.add(tf.squeeze(tf.matMul(x, tf.expandDims(weights, 2)), [2]), bias) as tf.Tensor2D, weights };
}
