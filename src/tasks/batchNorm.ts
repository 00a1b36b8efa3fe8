/**
 * Batch norm over the batch and spatial axes of x [batch, h, w, c] with per-channel scale and shift (batch
 * statistics, ε = 1e-5), with its gradient written out instead of taped op by op.
 *
 * Taped, the composite (moments, subtract, divide, multiply, add) kept about four activation-sized tensors per
 * layer for the backward pass, and the gradient of each Mean made a full-size tensor of ones: one ResNet-8 step
 * on CIFAR peaked at ~980 MiB of tensors. Here the tape keeps x alone; the backward pass recomputes the
 * statistics from x with ordinary tfjs ops, so it is itself differentiable (second-order MAML differentiates
 * through it) and runs on every backend. Where the backend registers the fused kernels (wasm:
 * src/backend/wasm/batchNormKernels.ts) each direction is one kernel instead; the backward pass takes the tensor
 * ops whenever a gradient tape records it (the fused gradient has no gradient of its own).
 */
import tf from '#tfjs';
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_KERNEL } from '../backend/fusedKernels.js';

const EPSILON = 1e-5;
const AXES = [0, 1, 2];

/** x − mean and 1/√(variance + ε) over the leading three axes. */
function centred(x: tf.Tensor): { d: tf.Tensor; inverse: tf.Tensor } {
  const d = tf.sub(x, tf.mean(x, AXES));
  return { d, inverse: tf.rsqrt(tf.add(tf.mean(tf.square(d), AXES), EPSILON)) };
}

const normalise = tf.customGrad((x, scale, shift, save) => {
  (save as tf.GradSaveFunc)([x as tf.Tensor, scale as tf.Tensor]);
  // tfjs runs neither function in a tidy (the backward's temporaries would live until every gradient is done).
  if (fused(BATCH_NORM_KERNEL, x as tf.Tensor)) {
    const value = tf.engine().runKernel(BATCH_NORM_KERNEL, { x: x as tf.Tensor, scale: scale as tf.Tensor, shift: shift as tf.Tensor }, { epsilon: EPSILON }) as tf.Tensor;
    return { value, gradFunc };
  }
  const value = tf.tidy(() => {
    const { d, inverse } = centred(x as tf.Tensor);
    return tf.add(tf.mul(d, tf.mul(scale as tf.Tensor, inverse)), shift as tf.Tensor);
  });
  return { value, gradFunc };
});

function gradFunc(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] {
  const upstream = dy as tf.Tensor;
  const [input, gamma] = saved as [tf.Tensor, tf.Tensor];
  if (!tf.engine().isTapeOn() && fused(BATCH_NORM_GRAD_KERNEL, input)) {
    return tf.engine().runKernel(BATCH_NORM_GRAD_KERNEL, { x: input, scale: gamma, dy: upstream }, { epsilon: EPSILON }) as tf.Tensor[];
  }
  return tf.tidy(() => {
    const { d: dd, inverse: s } = centred(input);
    const count = input.size / (input.shape[3] as number);
    const dShift = tf.sum(upstream, AXES);
    const dyTimesD = tf.sum(tf.mul(upstream, dd), AXES);
    // dx = γs · (dy − Σdy/N − (x − μ) · s² · Σ(dy·(x − μ))/N)
    const dx = tf.mul(
      tf.sub(tf.sub(upstream, tf.div(dShift, count)), tf.mul(dd, tf.div(tf.mul(tf.square(s), dyTimesD), count))),
      tf.mul(gamma, s),
    );
    // dx sums to zero per channel (a shift before batch norm changes nothing); centring it keeps its float
    // rounding out of the gradient of a bias before the norm, which Adam would turn into steps of ±lr.
    return [tf.sub(dx, tf.mean(dx, AXES)), tf.mul(dyTimesD, s), dShift];
  });
}

function fused(kernel: string, x: tf.Tensor): boolean {
  return x.size > 0 && x.dtype === 'float32' && tf.getKernel(kernel, tf.getBackend()) !== undefined;
}

export function batchNorm(x: tf.Tensor, scale: tf.Tensor, shift: tf.Tensor): tf.Tensor {
  if (x.rank !== 4) throw new Error(`batchNorm: expected x of rank 4 [batch, h, w, c], got shape [${x.shape}]`);
  return normalise(x, scale, shift) as tf.Tensor;
}
