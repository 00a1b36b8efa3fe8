/**
 * A convolution's filter gradient as a matrix product: dW [kh·kw·ci, co] = patches · dy, where patches
 * [kh·kw·ci, pixels] holds in row (kh, kw, ci) the input value each output pixel read through that tap (im2col,
 * transposed) and dy is [pixels, co] as it lies.
 *
 * Why not XNNPACK: the filter gradient as an XNNPACK convolution with dy as its filter (conv2dBackpropFilter.ts)
 * ran at 4–20 GFLOP/s (its output is tiny and its reduction enormous, which its kernels are not made for), and
 * XNNPACK's own product packs its right-hand operand on every new buffer, ~5 ns a float of dy here (6 ms of a
 * 9 ms product for the MNIST CNN's first layer). kernels.wat's gemmAccumulate reads dy where it lies and runs at
 * 30–40 GFLOP/s on these shapes.
 *
 * Built a chunk of whole images at a time, so the patch buffer stays in cache (and far under the heap) whatever
 * the batch: the chunk's images turned to NCHW (nhwcToNchw), where each patch row is a run of an image row, or
 * for stride 1 a whole shifted image plane (im2colRows); then the chunk's product added into dW.
 */
import tf from '#tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, imagesPerChunk, release, type TensorInfo } from './callKernel.js';
import { simdKernels } from './simd/module.js';

/** Patch rows built per chunk: small enough to be still in cache when the product reads them. */
export const PATCH_CHUNK_BYTES = 2 ** 20;
/** Pixels the product takes at a time: four patch rows' stretch (8 KiB) stays in L1, dy's stretch in L2. */
const PRODUCT_K_BLOCK = 512;

/**
 * dW [kh, kw, ci, co] of the forward convolution `info` (NHWC, float32), or undefined where this path does not
 * apply: no wasm SIMD, or co not a multiple of 8 (the product's column blocks); the caller's path serves.
 * `chunkBytes` bounds the patch buffer (tests make it small to cross chunk boundaries).
 */
export function filterGradientByProduct(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  chunkBytes = PATCH_CHUNK_BYTES,
): TensorInfo | undefined {
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: co } = info;
  const { filterHeight: KH, filterWidth: KW } = info;
  if (co % 8 !== 0 || batchSize * H * W * OH * OW === 0) return undefined;
  const simd = simdKernels(backend);
  if (simd === undefined) return undefined;
  const rows = KH * KW * C;
  const pixelsPerImage = OH * OW;
  const imageFloats = H * W * C;
  const perChunk = imagesPerChunk(chunkBytes, rows * pixelsPerImage * 4, batchSize);

  const dW = backend.makeOutput([KH, KW, C, co], 'float32');
  (backend.typedArrayFromHeap(dW) as Float32Array).fill(0);
  // Reused by every chunk (the last one uses their first part). One channel: NHWC is NCHW already.
  const images = C === 1 ? undefined : backend.makeOutput([perChunk * imageFloats], 'float32');
  const patches = backend.makeOutput([rows, perChunk * pixelsPerImage], 'float32');
  for (let first = 0; first < batchSize; first += perChunk) {
    const n = Math.min(perChunk, batchSize - first);
    let from = heapOffset(backend, x) + first * imageFloats * 4;
    if (images !== undefined) {
      simd.nhwcToNchw(from, heapOffset(backend, images), n, H * W, C);
      from = heapOffset(backend, images);
    }
    simd.im2colRows(
      from, heapOffset(backend, patches), C, H, W, n, OH, OW, KH, KW,
      info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
    );
    const dyChunk = heapOffset(backend, dy) + first * pixelsPerImage * co * 4;
    simd.gemmAccumulate(heapOffset(backend, patches), dyChunk, heapOffset(backend, dW), rows, n * pixelsPerImage, co, PRODUCT_K_BLOCK);
  }
  release(backend, patches, ...(images === undefined ? [] : [images]));
  return dW;
}
