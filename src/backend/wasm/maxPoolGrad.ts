/**
 * MaxPoolGrad for wasm as one pass over the windows (kernels.wat, four channels at a time; a scalar loop where wasm
 * SIMD or an unshared memory is unavailable). Windows side by side, as in the MNIST CNN's pools, take a pass that
 * writes dx in vectors.
 *
 * tfjs-backend-wasm's kernel took as long as a forward convolution in the MNIST CNN
 * step, and this pass in JavaScript still ~10× a forward MaxPool. Routing each output's gradient to the window's
 * first maximum (scan order, padding skipped) is the rule of tfjs's cpu kernel and of TensorFlow, so gradients
 * agree exactly, ties after ReLU included; both passes add into dx in the cpu kernel's order.
 */
import tf from '#tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, type TensorInfo } from './callKernel.js';
import { simdKernels } from './simd/module.js';

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function maxPoolGradWasm(original: tf.KernelFunc) {
  return (args: { inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo }; backend: BackendWasm; attrs: MaxPoolGradAttrs }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    if (inputs.input.dtype !== 'float32') return original(args as never) as TensorInfo;
    const info = tf.backend_util.computePool2DInfo(
      inputs.input.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const out = backend.makeOutput(inputs.input.shape, 'float32');
    const dx = backend.typedArrayFromHeap(out) as Float32Array;
    dx.fill(0);
    const simd = simdKernels(backend);
    const at = (t: TensorInfo) => heapOffset(backend, t);
    if (simd !== undefined && windowsAreDisjoint(info)) {
      simd.maxPoolGradDisjoint(
        at(inputs.input), at(inputs.dy), at(out), info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
        info.filterHeight, info.filterWidth,
      );
      return out;
    }
    if (simd !== undefined) {
      simd.maxPoolGrad(
        at(inputs.input), at(inputs.dy), at(out), info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
        info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
      );
      return out;
    }
    maxPoolGradScalar(backend.typedArrayFromHeap(inputs.input) as Float32Array, backend.typedArrayFromHeap(inputs.dy) as Float32Array, dx, info);
    return out;
  };
}

/**
 * Windows side by side (stride = window, no dilation, no padding before, every window inside the input) over
 * channels in fours: each element is in at most one window, so kernels.wat's maxPoolGradDisjoint writes dx in
 * vectors with no scatter (the MNIST CNN's 2×2 pools: 1.39 → 0.74 ms and 0.58 → 0.38 ms, kernel alone).
 */
function windowsAreDisjoint(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.strideHeight === info.filterHeight && info.strideWidth === info.filterWidth &&
    info.dilationHeight === 1 && info.dilationWidth === 1 && info.padInfo.top === 0 && info.padInfo.left === 0 &&
    info.outHeight * info.strideHeight <= info.inHeight && info.outWidth * info.strideWidth <= info.inWidth &&
    info.inChannels % 4 === 0 && info.batchSize * info.outHeight * info.outWidth > 0
  );
}

/** The pass without SIMD: dx (zero on entry) += dy routed to each window's first maximum in x. */
export function maxPoolGradScalar(x: Float32Array, dy: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  // Per channel: best value and where it was, for the window being scanned.
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        best.fill(-Infinity);
        where.fill(-1);
        for (let fh = 0; fh < filterHeight; fh++) {
          const h = oh * strideHeight + fh * dilationHeight - top;
          if (h < 0 || h >= inHeight) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const w = ow * strideWidth + fw * dilationWidth - left;
            if (w < 0 || w >= inWidth) continue;
            const base = ((b * inHeight + h) * inWidth + w) * channels;
            for (let c = 0; c < channels; c++) {
              const v = x[base + c] as number;
              // `where < 0` lets the first in-bounds pixel win even when it is -Infinity or NaN.
              if (v > (best[c] as number) || where[c] === -1) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        const yBase = ((b * outHeight + oh) * outWidth + ow) * channels;
        for (let c = 0; c < channels; c++) {
          const target = where[c] as number;
          if (target >= 0) dx[target] = (dx[target] as number) + (dy[yBase + c] as number);
        }
      }
    }
  }
}
