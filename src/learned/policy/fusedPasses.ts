/**
 * The frozen policy's elementwise passes as one fused kernel each where the backend registers them (wasm:
 * src/backend/wasm/policyKernels.ts), and as the same formulas in tfjs ops elsewhere or while a gradient tape
 * records (the kernels have no gradients). Both compute the same values to float32 rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { BIAS_TANH_KERNEL, COLUMN_RMS_KERNEL, POLICY_FIRST_LAYER_KERNEL } from '../../backend/fusedKernels.js';
import { activate, type Activation, type MlpLayer } from './mlp.js';

export function fusedPass(kernel: string): boolean {
  return !tf.engine().isTapeOn() && tf.getKernel(kernel, tf.getBackend()) !== undefined;
}

/** √(mean over rows of w²) of an [h, n] window: [n]. */
export function windowRms(window: tf.Tensor2D): tf.Tensor1D {
  if (fusedPass(COLUMN_RMS_KERNEL)) return tf.engine().runKernel(COLUMN_RMS_KERNEL, { window }) as tf.Tensor1D;
  return tf.sqrt(tf.mean(tf.square(window), 0)) as tf.Tensor1D;
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

/** mlp.ts's applyMlp, with each tanh layer's bias and activation as one fused pass where registered. */
export function applyMlpFused(layers: readonly MlpLayer[], x: tf.Tensor2D, activation: Activation): tf.Tensor2D {
  return layers.reduce<tf.Tensor2D>((h, layer, l) => {
    const product = tf.matMul(h, layer.kernel);
    if (l < layers.length - 1 && activation === 'tanh' && fusedPass(BIAS_TANH_KERNEL)) {
      return tf.engine().runKernel(BIAS_TANH_KERNEL, { x: product, bias: layer.bias }) as tf.Tensor2D;
    }
    const z = tf.add(product, layer.bias) as tf.Tensor2D;
    return l === layers.length - 1 ? z : (activate(z, activation) as tf.Tensor2D);
  }, x);
}
