/**
 * Registers the kernels that tfjs-backend-wasm lacks but training needs, and
 * replaces some of its kernels whose scalar fallbacks dominate training time.
 * Idempotent, and must run before the wasm backend initialises (kernel set-up
 * functions run then).
 */
import tf from '#tfjs';
import { batchMatMulWithExplicitTranspose } from './batchMatMul.js';
import { conv2dBackpropFilterWasm } from './conv2dBackpropFilter.js';
import { conv2dBackpropInputViaConv } from './conv2dBackpropInput.js';
import { conv2dDirect } from './conv2dDirect.js';
import { maxPoolGradWasm } from './maxPoolGrad.js';
import { depthwiseBackpropFilterWasm, depthwiseBackpropInputWasm } from './depthwiseBackprop.js';
import { unsortedSegmentSumWasm } from './unsortedSegmentSum.js';
import { tanhViaSigmoid } from './tanh.js';
import { castSharingBuffer, identitySharingBuffer } from './identity.js';
import { sliceFromHeapView, splitVThroughSlice } from './slice.js';
import { meanLeadingAxes, sumLeadingAxes } from './leadingAxisReduce.js';
import { fusedAdamInPlaceWasm, fusedAdamWasm } from './fusedAdam.js';
import { ADD_PAIR_ROW_KERNEL, BIAS_TANH_DOT_KERNEL, BIAS_TANH_KERNEL, FUSED_ADAM_IN_PLACE_KERNEL, FUSED_ADAM_KERNEL, POLICY_FIRST_LAYER_KERNEL, POLICY_WINDOW_KERNEL } from '../fusedKernels.js';
import { biasTanhDotWasm, biasTanhWasm, policyFirstLayerWasm, policyWindowWasm } from './policyKernels.js';
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_KERNEL } from '../fusedKernels.js';
import { batchNormGradWasm, batchNormWasm } from './batchNormKernels.js';
import { RELU_GRAD_KERNEL } from '../fusedKernels.js';
import { reluGradWasm } from './reluGrad.js';
import { addPairWithRowVectorWasm, addWithRowVector } from './addRowVector.js';
import { concatNarrowRuns } from './concat.js';

/** The kernels alphaopt adds to the wasm backend, by tfjs kernel name. */
export const ADDED_WASM_KERNELS = {
  Conv2DBackpropFilter: conv2dBackpropFilterWasm,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilterWasm,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInputWasm,
  UnsortedSegmentSum: unsortedSegmentSumWasm,
  [FUSED_ADAM_KERNEL]: fusedAdamWasm,
  [FUSED_ADAM_IN_PLACE_KERNEL]: fusedAdamInPlaceWasm,
  [POLICY_WINDOW_KERNEL]: policyWindowWasm,
  [POLICY_FIRST_LAYER_KERNEL]: policyFirstLayerWasm,
  [BIAS_TANH_KERNEL]: biasTanhWasm,
  [BATCH_NORM_KERNEL]: batchNormWasm,
  [BATCH_NORM_GRAD_KERNEL]: batchNormGradWasm,
  [RELU_GRAD_KERNEL]: reluGradWasm,
  [BIAS_TANH_DOT_KERNEL]: biasTanhDotWasm,
  [ADD_PAIR_ROW_KERNEL]: addPairWithRowVectorWasm,
} as const;

/** Kernels alphaopt replaces for speed; each wraps (and falls back to) the original. */
export const REPLACED_WASM_KERNELS = {
  BatchMatMul: batchMatMulWithExplicitTranspose,
  Conv2DBackpropInput: conv2dBackpropInputViaConv,
  Conv2D: conv2dDirect,
  MaxPoolGrad: maxPoolGradWasm,
  Tanh: tanhViaSigmoid,
  Sum: sumLeadingAxes,
  Mean: meanLeadingAxes,
  Identity: identitySharingBuffer,
  Cast: castSharingBuffer,
  Slice: sliceFromHeapView,
  Add: addWithRowVector,
  SplitV: splitVThroughSlice,
  Concat: concatNarrowRuns,
} as const;

const REPLACED = Symbol.for('alphaopt.replacedKernel');

export interface WasmKernelChanges {
  added: string[];
  replaced: string[];
}

export function registerWasmTrainingKernels(): WasmKernelChanges {
  const changes: WasmKernelChanges = { added: [], replaced: [] };
  for (const [kernelName, kernelFunc] of Object.entries(ADDED_WASM_KERNELS)) {
    if (tf.getKernel(kernelName, 'wasm') !== undefined) continue;
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
    changes.added.push(kernelName);
  }
  for (const [kernelName, wrap] of Object.entries(REPLACED_WASM_KERNELS)) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (original === undefined || (original.kernelFunc as { [REPLACED]?: boolean })[REPLACED] === true) continue;
    const kernelFunc = wrap(original.kernelFunc) as unknown as tf.KernelFunc;
    (kernelFunc as { [REPLACED]?: boolean })[REPLACED] = true;
    tf.unregisterKernel(kernelName, 'wasm');
    const config: tf.KernelConfig = { kernelName, backendName: 'wasm', kernelFunc };
    if (original.setupFunc !== undefined) config.setupFunc = original.setupFunc;
    tf.registerKernel(config);
    changes.replaced.push(kernelName);
  }
  return changes;
}
