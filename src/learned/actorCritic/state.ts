/**
 * χ(ω, X), what the actor and critic see per row. 'loss' is the paper's state: the
 * model's average loss on the minibatch. 'rich' adds ln loss and ln mean |g| (the
 * gradient of the model's own minibatch; a probe on another minibatch has only its
 * loss, so it reuses that gradient term).
 */
import tf from '#tfjs';
import type { StateKind } from './options.js';

export function stateSize(kind: StateKind): number {
  return kind === 'loss' ? 1 : 3;
}

/** [rows, S] from the per-row loss [rows] and, for 'rich', the per-row gradient [rows, n]. */
export function observeState(kind: StateKind, loss: tf.Tensor1D, grads: tf.Tensor2D): tf.Tensor2D {
  const column = tf.reshape(loss, [-1, 1]) as tf.Tensor2D;
  if (kind === 'loss') return column;
  const logLoss = tf.log(tf.add(tf.abs(column), 1e-8));
  const logGrad = tf.log(tf.add(tf.mean(tf.abs(grads), 1, true), 1e-12));
  return tf.concat([column, logLoss, logGrad], 1) as tf.Tensor2D;
}
