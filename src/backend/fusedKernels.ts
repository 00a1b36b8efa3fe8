/**
 * Names of AlphaOpt's fused kernels. A backend that registers one runs the fused pass; elsewhere (or while a
 * gradient tape records) the rules compute the same thing with ordinary tfjs ops.
 */
import tf from '#tfjs';

/** Whether to run `kernel`: the current backend registers it and no gradient tape records (fused kernels have no gradients). */
export function fusedPass(kernel: string): boolean {
  return !tf.engine().isTapeOn() && tf.getKernel(kernel, tf.getBackend()) !== undefined;
}

/**
 * One Adam step per tensor: inputs { grad, mu, nu }; attrs { beta1, beta2, epsilon, c1, c2, scale } (c1, c2 the
 * bias corrections, scale = −learning rate); outputs [mu′, nu′, update].
 */
export const FUSED_ADAM_KERNEL = 'AlphaOptFusedAdam';
/**
 * The same step with the state in place: inputs { param, grad, mu, nu }, attrs as FUSED_ADAM_KERNEL's; outputs
 * [param + update]. It overwrites mu and nu, so it is only for buffers nothing else reads: the backend checks each
 * is held by one tensor (reference count 1) and that the four inputs are distinct. param is only read (a
 * backend may cache derived copies of a weight keyed by its buffer).
 */
export const FUSED_ADAM_IN_PLACE_KERNEL = 'AlphaOptFusedAdamInPlace';

/**
 * The coordinate policy's history window from its columns: inputs { 0: c₀, …, h−1: c_{h−1} } (each [n]);
 * outputs [rows, rms]: the [n, h] matrix (row i = c₀[i], …, c_{h−1}[i]) and √(mean over k of c_k[i]²), [n].
 */
export const POLICY_WINDOW_KERNEL = 'AlphaOptPolicyWindow';
/**
 * The coordinate policy's first hidden layer after its block products (frozenRule.ts): inputs { productG,
 * productS ([n, u]), rmsG, rmsS, logG, logS ([n]), scaleWeights ([2, u]), term ([1, u]) }; attrs { tiny };
 * output tanh(pG/(rG + tiny) + pS/(rS + tiny) + term + logG·w₀ + logS·w₁), [n, u].
 */
export const POLICY_FIRST_LAYER_KERNEL = 'AlphaOptPolicyFirstLayer';
/** A later tanh layer after its product: inputs { x ([n, u]), bias ([u]) }; output tanh(x + bias). */
export const BIAS_TANH_KERNEL = 'AlphaOptBiasTanh';
/**
 * The last tanh layer and a one-unit output layer after it: inputs { x ([n, u]), bias ([u]), weights ([u, 1]),
 * outBias ([1]) }; output tanh(x + bias)·weights + outBias, [n, 1], the hidden layer never written out.
 */
export const BIAS_TANH_DOT_KERNEL = 'AlphaOptBiasTanhDot';

/**
 * Batch norm over the leading axes of x [batch, h, w, c] with batch statistics (src/tasks/batchNorm.ts): inputs
 * { x, scale, shift } (scale, shift [c]); attrs { epsilon }; output (x − mean)·scale/√(variance + ε) + shift.
 */
export const BATCH_NORM_KERNEL = 'AlphaOptBatchNorm';
/**
 * Its gradient: inputs { x, scale, dy }; attrs { epsilon }; outputs [dx, dscale, dshift] (dx summing to zero per
 * channel). No gradient of its own: second order takes the tensor ops.
 */
export const BATCH_NORM_GRAD_KERNEL = 'AlphaOptBatchNormGrad';
/**
 * ReLU's gradient: inputs { dy, x } of one shape; output dy·step(x), the float32 values of tfjs's
 * mul(dy, cast(step(x), 'float32')). No gradient of its own: second order takes the tensor ops.
 */
export const RELU_GRAD_KERNEL = 'AlphaOptReluGrad';
/**
 * Two matrices' sum and a bias: inputs { x, y } of one shape [..., c] and { v } [c]; output (x + y) + v, the float32
 * values of tf.add(tf.add(x, y), v). The LSTM's gates (src/learned/lstm/cell.ts).
 */
export const ADD_PAIR_ROW_KERNEL = 'AlphaOptAddPairRow';
