/**
 * The frozen policy's elementwise passes as one fused kernel each where the backend registers them (wasm:
 * src/backend/wasm/policyKernels.ts), and as the same formulas in tfjs ops elsewhere or while a gradient tape
 * records (the kernels have no gradients). Both compute the same values to float32 rounding.
 */
import tf from '#tfjs';
import { BIAS_TANH_DOT_KERNEL, BIAS_TANH_KERNEL, fusedPass, POLICY_FIRST_LAYER_KERNEL, POLICY_WINDOW_KERNEL } from '../../backend/fusedKernels.js';
import { activate, type Activation, type MlpLayer } from './mlp.js';

/**
 * A history window's product with its kernel block ([n, units]) and its RMS per coordinate ([n], computed only if
 * asked for on the tensor-op path). Fused: the window is built as [n, h] rows with its RMS in one pass and
 * multiplied as it is; tensor ops: stacked as [h, n] (contiguous copies) and multiplied transposed.
 */
export function windowProduct(columns: readonly tf.Tensor1D[], block: tf.Tensor2D): { product: tf.Tensor2D; rms: () => tf.Tensor1D } {
  if (fusedPass(POLICY_WINDOW_KERNEL)) {
    const [rows, rms] = tf.engine().runKernel(POLICY_WINDOW_KERNEL, Object.fromEntries(columns.map((c, k) => [String(k), c]))) as [tf.Tensor2D, tf.Tensor1D];
    return { product: tf.matMul(rows, block), rms: () => rms };
  }
  const window = tf.stack(columns as tf.Tensor1D[], 0) as tf.Tensor2D;
  return { product: tf.matMul(window, block, true, false), rms: () => tf.sqrt(tf.mean(tf.square(window), 0)) as tf.Tensor1D };
}

/** The first hidden layer of the normalised features (frozenRule.ts), tanh: see POLICY_FIRST_LAYER_KERNEL. */
export interface FirstLayerInputs {
  productG: tf.Tensor2D;
  productS: tf.Tensor2D;
  rmsG: tf.Tensor1D;
  rmsS: tf.Tensor1D;
  logG: tf.Tensor1D;
  logS: tf.Tensor1D;
  /** [2, units]: the kernel rows of the two log-RMS inputs. */
  scaleWeights: tf.Tensor2D;
  /** [1, units]: the loss-change block's product and the bias. */
  term: tf.Tensor2D;
}

/** undefined where the fused kernel is not registered (the caller keeps its tensor-op path). */
export function fusedFirstLayer(inputs: FirstLayerInputs, tiny: number): tf.Tensor2D | undefined {
  if (!fusedPass(POLICY_FIRST_LAYER_KERNEL)) return undefined;
  return tf.engine().runKernel(POLICY_FIRST_LAYER_KERNEL, { ...inputs }, { tiny }) as tf.Tensor2D;
}

/**
 * The fused first layer's arithmetic in tfjs ops, the same float32 operations in the same order, ending in the
 * fused tanh: for the inputs the kernel does not take (a loss term per coordinate, when runs are batched as rows).
 * A run's numbers must not depend on whether it is batched with others (the worker pool splits groups), so where the
 * fused first layer serves a single run, batched runs get this; undefined where the fused tanh is not registered.
 */
export function firstLayerAsFused(inputs: Omit<FirstLayerInputs, 'term'> & { term: tf.Tensor2D }, tiny: number): tf.Tensor2D | undefined {
  if (!fusedPass(BIAS_TANH_KERNEL)) return undefined;
  const { productG, productS, rmsG, rmsS, logG, logS, scaleWeights, term } = inputs;
  const column = (v: tf.Tensor1D) => tf.reshape(v, [-1, 1]);
  const [w0, w1] = tf.split(scaleWeights, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
  const normalised = tf.add(tf.div(productG, tf.add(column(rmsG), tiny)), tf.div(productS, tf.add(column(rmsS), tiny)));
  const scales = tf.add(tf.mul(column(logG), w0), tf.mul(column(logS), w1));
  const z = tf.add(tf.add(normalised, term), scales);
  return tf.engine().runKernel(BIAS_TANH_KERNEL, { x: z, bias: tf.zeros([productG.shape[1]!]) }) as tf.Tensor2D;
}

/**
 * mlp.ts's applyMlp, with each tanh layer's bias and activation as one fused pass where registered; the last tanh
 * layer and a one-unit output layer (the policy's mean) as one pass, which gives the same bits as the three ops.
 */
export function applyMlpFused(layers: readonly MlpLayer[], x: tf.Tensor2D, activation: Activation): tf.Tensor2D {
  const output = layers[layers.length - 1];
  const fuseOutput = layers.length >= 2 && output!.kernel.shape[1] === 1 && activation === 'tanh' && fusedPass(BIAS_TANH_DOT_KERNEL);
  const hidden = fuseOutput ? layers.slice(0, -1) : layers;
  return hidden.reduce<tf.Tensor2D>((h, layer, l) => {
    const product = tf.matMul(h, layer.kernel);
    if (fuseOutput && l === hidden.length - 1) {
      return tf.engine().runKernel(BIAS_TANH_DOT_KERNEL, { x: product, bias: layer.bias, weights: output!.kernel, outBias: output!.bias }) as tf.Tensor2D;
    }
    if (l < layers.length - 1 && activation === 'tanh' && fusedPass(BIAS_TANH_KERNEL)) {
      return tf.engine().runKernel(BIAS_TANH_KERNEL, { x: product, bias: layer.bias }) as tf.Tensor2D;
    }
    const z = tf.add(product, layer.bias) as tf.Tensor2D;
    return l === layers.length - 1 ? z : (activate(z, activation) as tf.Tensor2D);
  }, x);
}
