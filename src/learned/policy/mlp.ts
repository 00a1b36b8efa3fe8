/** A small MLP (tanh by default, or ReLU) whose weights are tf.Variables, applied to a batch of coordinates. */
import tf from '#tfjs';

export interface MlpLayer {
  kernel: tf.Variable;
  bias: tf.Variable;
}

/**
 * Layers `sizes[0] → … → sizes[last]`, Glorot-initialised from `seed`; the last
 * layer's kernel is multiplied by `lastScale` (a small output at the start).
 */
export function createMlp(sizes: number[], seed: number, lastScale: number, make: (name: string, init: () => tf.Tensor) => tf.Variable, prefix: string): MlpLayer[] {
  return sizes.slice(1).map((outputs, l) => {
    const last = l === sizes.length - 2;
    return {
      kernel: make(`${prefix}/layer${l}/kernel`, () => tf.mul(tf.initializers.glorotUniform({ seed: seed * 1009 + l + 1 }).apply([sizes[l]!, outputs]), last ? lastScale : 1)),
      bias: make(`${prefix}/layer${l}/bias`, () => tf.zeros([outputs])),
    };
  });
}

/**
 * tanh(x) = 2σ(2x) − 1. The same function, but the wasm backend computes tf.tanh
 * element by element in scalar code while its sigmoid is vectorised: measured on
 * [101770, 32], 60 ms vs 16 ms.
 */
export function tanh(x: tf.Tensor): tf.Tensor {
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1);
}

/** The hidden layers' nonlinearity: 'relu' is what Li & Malik's released policy network uses. */
export type Activation = 'tanh' | 'relu';

export function activate(x: tf.Tensor, activation: Activation = 'tanh'): tf.Tensor {
  return activation === 'relu' ? tf.relu(x) : tanh(x);
}

export function applyMlp(layers: readonly MlpLayer[], x: tf.Tensor2D, activation: Activation = 'tanh'): tf.Tensor2D {
  return layers.reduce<tf.Tensor2D>((h, layer, l) => {
    const z = tf.add(tf.matMul(h, layer.kernel), layer.bias) as tf.Tensor2D;
    return l === layers.length - 1 ? z : (activate(z, activation) as tf.Tensor2D);
  }, x);
}
