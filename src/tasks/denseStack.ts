/**
 * A stack of dense layers over flat parameter rows θ [rows, D] (each layer's weights [inputs, outputs], then its
 * biases), each row a network of its own on its own minibatch, with softmax cross-entropy: the MNIST MLP task's
 * model, and its loss-and-gradient written out.
 *
 * Taped by tf.grad, one loss-and-gradient of the 784-20-10 net issued 86 kernels, most of them the tape's: every slice of θ
 * came back as a pad to the full [rows, D] plus an add, the sigmoid's and the broadcast bias's gradients took several
 * small ops each, and the engine filtered and walked the tape. Written out, the backward pass is the two products
 * per layer, a sum for the bias, the activation's derivative and one concat (denseStack.test.ts counts them). It is
 * made of ordinary tfjs ops, so under an outer tape (second-order BPTT) it differentiates like any other function of θ.
 */
import tf from '#tfjs';
import type { MlpLayerLayout } from './mlpInit.js';

export type DenseActivation = 'sigmoid' | 'relu';

/** Layers for sizes [inputs, hidden…, outputs], packed one after another in a flat vector, and its length. */
export function denseLayout(sizes: readonly number[]): { layers: MlpLayerLayout[]; dimension: number } {
  let offset = 0;
  const layers = sizes.slice(1).map((outputs, i) => {
    const layer = { inputs: sizes[i]!, outputs, offset };
    offset += layer.inputs * outputs + outputs;
    return layer;
  });
  return { layers, dimension: offset };
}

export interface LossAndGradRows {
  /** Each row's mean cross-entropy: [rows]. */
  rows: tf.Tensor1D;
  /** Each row's gradient of its own loss: [rows, D]. */
  grad: tf.Tensor2D;
}

export class DenseStack {
  readonly layers: MlpLayerLayout[];
  readonly dimension: number;

  constructor(
    readonly sizes: readonly number[],
    readonly activation: DenseActivation,
  ) {
    if (sizes.length < 2) throw new Error(`DenseStack: sizes needs at least an input and an output size, got [${sizes}]`);
    ({ layers: this.layers, dimension: this.dimension } = denseLayout(sizes));
  }

  private weights(theta: tf.Tensor2D, layer: MlpLayerLayout): tf.Tensor3D {
    return tf.reshape(tf.slice(theta, [0, layer.offset], [theta.shape[0], layer.inputs * layer.outputs]), [theta.shape[0], layer.inputs, layer.outputs]);
  }

  private bias(theta: tf.Tensor2D, layer: MlpLayerLayout): tf.Tensor3D {
    return tf.reshape(tf.slice(theta, [0, layer.offset + layer.inputs * layer.outputs], [theta.shape[0], layer.outputs]), [theta.shape[0], 1, layer.outputs]);
  }

  /** Layer i's output from its pre-activation without the bias, z [rows, n, outputs], and its bias b [rows, 1, outputs]. */
  private finish(z: tf.Tensor3D, b: tf.Tensor3D, i: number): tf.Tensor3D {
    const biased = tf.add(z, b) as tf.Tensor3D;
    return i === this.layers.length - 1 ? biased : this.activation === 'relu' ? tf.relu(biased) : tf.sigmoid(biased);
  }

  /** Layers from..end on h [rows, n, inputs], each row with its own weights. */
  private rest(theta: tf.Tensor2D, h: tf.Tensor3D, from: number): tf.Tensor3D {
    for (let i = from; i < this.layers.length; i++) h = this.finish(tf.matMul(h, this.weights(theta, this.layers[i]!)), this.bias(theta, this.layers[i]!), i);
    return h;
  }

  /** Logits for inputs x [rows, n, inputs] (each row its own minibatch) under parameters θ [rows, D]. */
  forward(theta: tf.Tensor2D, x: tf.Tensor3D): tf.Tensor3D {
    return this.rest(theta, x, 0);
  }

  /**
   * Logits [rows, n, outputs] for inputs x [n, inputs] that every row shares (evaluation): the first layer as one
   * [n, inputs] × [inputs, rows·h] product, instead of a batched product over `rows` tiled copies of x — on wasm
   * the tiled form cost ~20× more.
   */
  forwardShared(theta: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor3D {
    const [rows, n, first] = [theta.shape[0], x.shape[0], this.layers[0]!];
    const all = tf.reshape(tf.transpose(this.weights(theta, first), [1, 0, 2]), [first.inputs, rows * first.outputs]);
    const z = tf.transpose(tf.reshape(tf.matMul(x, all), [n, rows, first.outputs]), [1, 0, 2]) as tf.Tensor3D;
    return this.rest(theta, this.finish(z, this.bias(theta, first), 0), 1);
  }

  /** Mean softmax cross-entropy per row: [rows]. */
  crossEntropy(logits: tf.Tensor3D, labels: tf.Tensor3D): tf.Tensor1D {
    return crossEntropyOf(tf.logSoftmax(logits), labels);
  }

  /** Each row's loss on its minibatch x [rows, n, inputs] with one-hot labels y [rows, n, outputs]; differentiable (taped op by op). */
  loss(theta: tf.Tensor2D, x: tf.Tensor3D, y: tf.Tensor3D): tf.Tensor1D {
    return tf.tidy(() => this.crossEntropy(this.forward(theta, x), y));
  }

  /**
   * `loss` and each row's gradient, without a tape: the same forward pass (so the same loss values), then the
   * backward pass written out. Labels must be one-hot (each example's labels sum to 1), as the tasks' minibatches
   * are: the gradient of the cross-entropy at the logits is then (softmax − y)/n.
   */
  lossAndGrad(theta: tf.Tensor2D, x: tf.Tensor3D, y: tf.Tensor3D): LossAndGradRows {
    return tf.tidy(() => {
      const rows = theta.shape[0];
      const pieces = tf.split(theta, this.layers.flatMap((l) => [l.inputs * l.outputs, l.outputs]), 1);
      const weights = this.layers.map((l, i) => tf.reshape(pieces[2 * i]!, [rows, l.inputs, l.outputs]) as tf.Tensor3D);
      const biases = this.layers.map((l, i) => tf.reshape(pieces[2 * i + 1]!, [rows, 1, l.outputs]) as tf.Tensor3D);
      // inputs[i]: what layer i reads (x, then each hidden layer's activation).
      const inputs: tf.Tensor3D[] = [x];
      let h = x;
      for (let i = 0; i < this.layers.length; i++) {
        h = this.finish(tf.matMul(h, weights[i]!), biases[i]!, i);
        if (i < this.layers.length - 1) inputs.push(h);
      }
      // tf.logSoftmax's own steps (so the same loss values), keeping exp(shifted) for the softmax; its taped op
      // would also cost a wrapper kernel and, under an outer tape, lose the softmax's curvature (it saves its output).
      const shifted = tf.sub(h, tf.max(h, 2, true));
      const exponentials = tf.exp(shifted);
      const total = tf.sum(exponentials, 2, true);
      const loss = crossEntropyOf(tf.sub(shifted, tf.log(total)) as tf.Tensor3D, y);
      // ∂loss/∂logits = (softmax − y) / n, the mean over the n examples.
      let dz = tf.mul(tf.sub(tf.div(exponentials, total), y), 1 / x.shape[1]) as tf.Tensor3D;
      const grads: tf.Tensor[] = new Array(2 * this.layers.length);
      for (let i = this.layers.length - 1; i >= 0; i--) {
        const layer = this.layers[i]!;
        grads[2 * i] = tf.reshape(tf.matMul(inputs[i]!, dz, true, false), [rows, layer.inputs * layer.outputs]);
        grads[2 * i + 1] = tf.sum(dz, 1);
        if (i === 0) break;
        const dh = tf.matMul(dz, weights[i]!, false, true);
        const a = inputs[i]!;
        // σ′ = σ(1 − σ) and relu′ = step(relu), both from the layer's output.
        dz = tf.mul(dh, this.activation === 'relu' ? tf.step(a) : tf.mul(a, tf.sub(1, a))) as tf.Tensor3D;
      }
      return { rows: loss, grad: tf.concat(grads, 1) as tf.Tensor2D };
    });
  }
}

function crossEntropyOf(logProbabilities: tf.Tensor3D, labels: tf.Tensor3D): tf.Tensor1D {
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, logProbabilities), 2), 1)) as tf.Tensor1D;
}
