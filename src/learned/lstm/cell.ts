/** An LSTM cell over a batch of coordinates: gates = x·W + h·U + b, split as (input, forget, cell, output). */
import * as tf from '@tensorflow/tfjs';

export interface LstmWeights {
  kernel: tf.Tensor2D; // [inputs, 4·units]
  recurrent: tf.Tensor2D; // [units, 4·units]
  bias: tf.Tensor1D; // [4·units]
}

export function lstmCell(x: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D, w: LstmWeights, forgetBias = 1): { h: tf.Tensor2D; c: tf.Tensor2D } {
  const gates = tf.add(tf.add(tf.matMul(x, w.kernel), tf.matMul(h, w.recurrent)), w.bias);
  const [i, f, g, o] = tf.split(gates, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const nextC = tf.add(tf.mul(tf.sigmoid(tf.add(f, forgetBias)), c), tf.mul(tf.sigmoid(i), tf.tanh(g))) as tf.Tensor2D;
  const nextH = tf.mul(tf.sigmoid(o), tf.tanh(nextC)) as tf.Tensor2D;
  return { h: nextH, c: nextC };
}
