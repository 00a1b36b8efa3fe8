/**
 * ReLU's gradient through AlphaOpt's fused kernel where the backend registers it (wasm: src/backend/wasm/reluGrad.ts)
 * and no gradient tape records the backward pass; tfjs's own formula, mul(dy, cast(step(x), 'float32')), everywhere
 * else, so other backends and second-order gradients are what they were. Registered for every backend in place of
 * tfjs's gradient of Relu.
 */
import tf from '#tfjs';
import { RELU_GRAD_KERNEL } from './fusedKernels.js';

const REGISTERED = Symbol.for('alphaopt.reluGradient');

export function registerFusedReluGradient(): void {
  const current = tf.getGradient('Relu') as (tf.GradConfig & { [REGISTERED]?: true }) | undefined;
  if (current?.[REGISTERED] === true) return;
  const config: tf.GradConfig & { [REGISTERED]?: true } = {
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as [tf.Tensor];
      const upstream = dy as tf.Tensor;
      return {
        x: () =>
          !tf.engine().isTapeOn() && upstream.dtype === 'float32' && x.dtype === 'float32' && tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend()) !== undefined
            ? (tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: upstream, x }) as tf.Tensor)
            : tf.mul(upstream, tf.cast(tf.step(x), 'float32')),
      };
    },
  };
  config[REGISTERED] = true;
  tf.registerGradient(config);
}
