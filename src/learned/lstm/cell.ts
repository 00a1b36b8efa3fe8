/** An LSTM cell over a batch of coordinates: gates = x·W + h·U + b, as (input, forget, cell, output) blocks. */
import tf from '#tfjs';
import { ADD_PAIR_ROW_KERNEL, fusedPass } from '../../backend/fusedKernels.js';

export interface LstmWeights {
  kernel: tf.Tensor2D; // [inputs, 4·units]
  recurrent: tf.Tensor2D; // [units, 4·units]
  bias: tf.Tensor1D; // [4·units]
}

/**
 * Each gate block is its own product with its slice of the weights, rather than one [n, 4·units] product split
 * afterwards: the products cost the same, but splitting the big one along its columns copies it element by
 * element (on wasm the split took ~4× the matrix products for 10⁵ coordinates), while slicing the weights is free.
 */
export function lstmCell(x: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D, w: LstmWeights, forgetBias = 1): { h: tf.Tensor2D; c: tf.Tensor2D } {
  const units = w.recurrent.shape[0];
  const gate = (k: number, extraBias = 0) => {
    const columns = (m: tf.Tensor2D) => tf.slice(m, [0, k * units], [-1, units]);
    const bias = tf.slice(w.bias, [k * units], [units]);
    return addPairAndBias(tf.matMul(x, columns(w.kernel)), tf.matMul(h, columns(w.recurrent)), extraBias === 0 ? bias : tf.add(bias, extraBias));
  };
  const [i, f, g, o] = [gate(0), gate(1, forgetBias), gate(2), gate(3)];
  const nextC = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g))) as tf.Tensor2D;
  const nextH = tf.mul(tf.sigmoid(o), tf.tanh(nextC)) as tf.Tensor2D;
  return { h: nextH, c: nextC };
}

/**
 * A gate's pre-activation (x·W + h·U) + b: one pass where the backend registers ADD_PAIR_ROW_KERNEL (wasm) and no
 * tape records, else the two tfjs Adds; the same float32 values either way.
 */
export function addPairAndBias(xw: tf.Tensor2D, hu: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  if (fusedPass(ADD_PAIR_ROW_KERNEL)) return tf.engine().runKernel(ADD_PAIR_ROW_KERNEL, { x: xw, y: hu, v: bias }) as tf.Tensor2D;
  return tf.add(tf.add(xw, hu), bias) as tf.Tensor2D;
}
