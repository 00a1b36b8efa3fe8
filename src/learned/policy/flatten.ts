/**
 * Coordinate-wise optimizers treat every coordinate of every parameter tensor as
 * one row of a batch: these helpers flatten a parameter list into one vector and
 * back, and spread the loss over the coordinates it belongs to.
 */
import tf from '#tfjs';

export function flattenAll(tensors: readonly tf.Tensor[]): tf.Tensor1D {
  return (tensors.length === 1 ? tf.reshape(tensors[0]!, [-1]) : tf.concat(tensors.map((t) => tf.reshape(t, [-1])))) as tf.Tensor1D;
}

export function unflattenLike(flat: tf.Tensor, like: readonly tf.Tensor[]): tf.Tensor[] {
  const pieces = like.length === 1 ? [flat] : tf.split(flat, like.map((t) => t.size), 0);
  return pieces.map((piece, i) => tf.reshape(piece, like[i]!.shape));
}

/**
 * The loss as seen by each coordinate: a scalar loss is shared by all of them;
 * a loss per row (runs batched as rows of [rows, …] parameters) goes to that row's coordinates.
 */
export function lossPerCoordinate(loss: tf.Tensor, params: readonly tf.Tensor[]): tf.Tensor1D {
  return flattenAll(
    params.map((p) => {
      if (loss.size === 1) return tf.broadcastTo(tf.reshape(loss, Array<number>(p.rank).fill(1)), p.shape);
      if (p.rank >= 1 && loss.size === p.shape[0]) {
        return tf.broadcastTo(tf.reshape(loss, [loss.size, ...Array<number>(p.rank - 1).fill(1)]), p.shape);
      }
      throw new Error(`a loss of shape [${loss.shape}] matches neither a scalar nor the rows of a parameter of shape [${p.shape}]`);
    }),
  );
}
