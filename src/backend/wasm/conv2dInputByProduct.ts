/**
 * A strided convolution's input gradient as a matrix product and a scatter: cols [pixels, kh·kw·ci] = dy · Wᵀ
 * (each output pixel's gradient through each tap to each input channel; W is the filter as [kh·kw·ci, co]), then
 * each tap's ci floats added into dx where the forward pass read them (col2im).
 *
 * Why: conv2dBackpropInput.ts runs a stride-s input gradient as s² XNNPACK convolutions of dy with the taps of
 * each output phase, then interleaves the phases into dx. For ResNet-8's 3×3 stride-2 layers those small-filter
 * convolutions ran at ~18 GFLOP/s and the interleave was one more pass over dx (8 MiB at batch 128, ~6 ms here);
 * this way the product runs in kernels.wat's gemmAccumulate and the scatter adds into a chunk of dx still in cache.
 * Stride 1 keeps the single XNNPACK convolution, which is as fast as the forward pass.
 *
 * A chunk of whole images at a time, so cols stays small whatever the batch.
 */
import tf from '#tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, imagesPerChunk, release, type TensorInfo } from './callKernel.js';
import { simdKernels } from './simd/module.js';

/** cols built per chunk: small enough to be still in cache when the scatter reads it. */
export const COLS_CHUNK_BYTES = 2 ** 20;

/**
 * dx [b, h, w, ci] of the forward convolution `info` (NHWC, float32) from dy and the filter [kh, kw, ci, co], or
 * undefined where this path does not apply: no wasm SIMD, or kh·kw·ci not a multiple of 8 (the product's column
 * blocks). `chunkBytes` bounds cols (tests make it small to cross chunk boundaries).
 */
export function inputGradientByProduct(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  chunkBytes = COLS_CHUNK_BYTES,
): TensorInfo | undefined {
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: co } = info;
  const { filterHeight: KH, filterWidth: KW } = info;
  const taps = KH * KW * C;
  if (taps % 8 !== 0 || batchSize * H * W * OH * OW * co === 0) return undefined;
  const simd = simdKernels(backend);
  if (simd === undefined) return undefined;
  const pixelsPerImage = OH * OW;
  const perChunk = imagesPerChunk(chunkBytes, taps * pixelsPerImage * 4, batchSize);

  const filterT = backend.makeOutput([co, taps], 'float32'); // Wᵀ: the product's right-hand side, [co, kh·kw·ci]
  simd.nhwcToNchw(heapOffset(backend, filter), heapOffset(backend, filterT), 1, taps, co);
  const dx = backend.makeOutput([batchSize, H, W, C], 'float32');
  const cols = backend.makeOutput([perChunk * pixelsPerImage, taps], 'float32');
  // Views after the allocations: growing the heap detaches earlier ones.
  const dxFloats = backend.typedArrayFromHeap(dx) as Float32Array;
  const colsFloats = backend.typedArrayFromHeap(cols) as Float32Array;
  const imageFloats = H * W * C;
  for (let first = 0; first < batchSize; first += perChunk) {
    const n = Math.min(perChunk, batchSize - first);
    const pixels = n * pixelsPerImage;
    colsFloats.fill(0, 0, pixels * taps);
    const dyChunk = heapOffset(backend, dy) + first * pixelsPerImage * co * 4;
    simd.gemmAccumulate(dyChunk, heapOffset(backend, filterT), heapOffset(backend, cols), pixels, co, taps, co);
    dxFloats.fill(0, first * imageFloats, (first + n) * imageFloats);
    simd.col2imAdd(
      heapOffset(backend, cols), heapOffset(backend, dx) + first * imageFloats * 4, C, H, W, n, OH, OW, KH, KW,
      info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
    );
  }
  release(backend, filterT, cols);
  return dx;
}
