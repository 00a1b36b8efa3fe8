/** Row helpers for tasks whose rows run one after another (conv nets over flat parameters). */
import tf from '#tfjs';

/**
 * The rows of [rows, n] as [n] tensors, differentiably. A single row is reshaped
 * instead of unstacked: tfjs's gradient of unstack fails when there is one output.
 */
export function splitRows(theta: tf.Tensor2D): tf.Tensor1D[] {
  return theta.shape[0] === 1 ? [tf.reshape(theta, [-1]) as tf.Tensor1D] : (tf.unstack(theta) as tf.Tensor1D[]);
}
