/**
 * Per-channel sums over the rows of x [rows, c] (channels last) in float64, one sweep (kernels.wat's channelSums):
 * Σx and Σx², and with dy also Σdy and Σdy·x. Batch norm's statistics and gradient, and Sum/Mean over leading axes,
 * take them. Float64 holds the product of two float32 exactly, so sums of squares and products lose nothing to
 * the products, and the variance Σx²/rows − mean² keeps well over float32's precision.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, release, type TensorInfo } from './callKernel.js';
import type { SimdKernels } from './simd/module.js';

const view = (backend: BackendWasm, t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
const heap = (backend: BackendWasm) => (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer;

/** Σx, Σx² (and with dy: Σdy, Σdy·x) per channel of x [rows, c], in float64: [k·c] with the k sums one after another. */
export function channelSums(backend: BackendWasm, simd: SimdKernels | undefined, x: TensorInfo, dy: TensorInfo | undefined, rows: number, c: number): Float64Array {
  const count = (dy === undefined ? 2 : 4) * c;
  if (simd !== undefined) {
    // Room for `count` float64 at an 8-byte boundary.
    const scratch = backend.makeOutput([2 * count + 2], 'float32');
    const sums = (heapOffset(backend, scratch) + 7) & ~7;
    new Float64Array(heap(backend), sums, count).fill(0);
    if (dy === undefined) simd.channelSums(heapOffset(backend, x), rows, c, sums);
    else simd.channelSumsWithGrad(heapOffset(backend, x), heapOffset(backend, dy), rows, c, sums);
    const result = new Float64Array(new Float64Array(heap(backend), sums, count));
    release(backend, scratch);
    return result;
  }
  const result = new Float64Array(count);
  if (dy === undefined) channelSumsScalar(view(backend, x), c, result);
  else channelSumsWithGradScalar(view(backend, x), view(backend, dy), c, result);
  return result;
}

/** The pass without SIMD: sums[0..c) += Σx, sums[c..2c) += Σx² over the rows of x [rows, c]. */
export function channelSumsScalar(x: Float32Array, c: number, sums: Float64Array): void {
  for (let base = 0; base < x.length; base += c) {
    for (let k = 0; k < c; k++) {
      const e = x[base + k] as number;
      sums[k] = (sums[k] as number) + e;
      sums[c + k] = (sums[c + k] as number) + e * e;
    }
  }
}

/** The pass without SIMD: as channelSumsScalar, and sums[2c..3c) += Σdy, sums[3c..4c) += Σdy·x. */
export function channelSumsWithGradScalar(x: Float32Array, dy: Float32Array, c: number, sums: Float64Array): void {
  for (let base = 0; base < x.length; base += c) {
    for (let k = 0; k < c; k++) {
      const e = x[base + k] as number;
      const d = dy[base + k] as number;
      sums[k] = (sums[k] as number) + e;
      sums[c + k] = (sums[c + k] as number) + e * e;
      sums[2 * c + k] = (sums[2 * c + k] as number) + d;
      sums[3 * c + k] = (sums[3 * c + k] as number) + d * e;
    }
  }
}
