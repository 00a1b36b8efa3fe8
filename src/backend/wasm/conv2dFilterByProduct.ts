/**
 * A convolution's filter gradient as matrix products: dW [kh·kw·ci, co] = patches · dy, where patches
 * [kh·kw·ci, pixels] holds in row (kh, kw, ci) the input value each output pixel read through that tap (im2col,
 * transposed) and dy is [pixels, co] as it lies. XNNPACK's product runs this near its gemm speed (~30 GFLOP/s
 * here), where the filter gradient as an XNNPACK convolution with dy as its filter (conv2dBackpropFilter.ts)
 * reached 4–20 GFLOP/s: that convolution's output is tiny and its reduction enormous, which its kernels are not
 * made for.
 *
 * Built a chunk of whole images at a time, so the buffers stay in cache and far under the heap whatever the
 * batch: the chunk's images turned to NCHW (kernels.wat's nhwcToNchw), where each patch row is a run of an image
 * row, or for stride 1 a whole shifted image plane (im2colRows); then one product per chunk, summed.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasmKernel, release, type TensorInfo } from './callKernel.js';
import { simdKernels } from './simd/module.js';

/** Patch rows built per product: a few MiB, so they are still in cache when the product reads them. */
export const PATCH_CHUNK_BYTES = 4 * 2 ** 20;

const offset = (backend: BackendWasm, t: TensorInfo) => backend.dataIdMap.get(t.dataId)!.memoryOffset;
const floats = (backend: BackendWasm, t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;

/**
 * dW [kh, kw, ci, co] of the forward convolution `info` (NHWC, float32), or undefined where wasm SIMD is
 * unavailable (the caller's convolution path serves). `chunkBytes` bounds the patch buffer (tests make it small
 * to cross chunk boundaries).
 */
export function filterGradientByProduct(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  chunkBytes = PATCH_CHUNK_BYTES,
): TensorInfo | undefined {
  const simd = simdKernels(backend);
  if (simd === undefined) return undefined;
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: co } = info;
  const { filterHeight: KH, filterWidth: KW } = info;
  const rows = KH * KW * C;
  const pixelsPerImage = OH * OW;
  const imageFloats = H * W * C;
  const perChunk = Math.max(1, Math.min(batchSize, Math.floor(chunkBytes / (rows * pixelsPerImage * 4))));

  // Reused by every chunk (the last one uses their first part). One channel: NHWC is NCHW already.
  const images = C === 1 ? undefined : backend.makeOutput([perChunk * imageFloats], 'float32');
  const patches = backend.makeOutput([rows, perChunk * pixelsPerImage], 'float32');
  let sum: TensorInfo | undefined;
  for (let first = 0; first < batchSize; first += perChunk) {
    const n = Math.min(perChunk, batchSize - first);
    const pixels = n * pixelsPerImage;
    let from = offset(backend, x) + first * imageFloats * 4;
    if (images !== undefined) {
      simd.nhwcToNchw(from, offset(backend, images), n, H * W, C);
      from = offset(backend, images);
    }
    simd.im2colRows(
      from, offset(backend, patches), C, H, W, n, OH, OW, KH, KW,
      info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
    );
    // The chunk's dy rows in a buffer of their own each time: the backend keeps XNNPACK's packed copy of a
    // product's right-hand operand by buffer, so a buffer refilled in place would be read as it was.
    let b: TensorInfo = { ...dy, shape: [pixels, co] };
    if (n !== batchSize) {
      b = backend.makeOutput([pixels, co], 'float32');
      floats(backend, b).set(floats(backend, dy).subarray(first * pixelsPerImage * co, (first + n) * pixelsPerImage * co));
    }
    const a = { ...patches, shape: [rows, pixels] };
    const product = callWasmKernel(backend, 'BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
    if (b.dataId !== dy.dataId) release(backend, b);
    if (sum === undefined) {
      sum = product;
    } else {
      const into = floats(backend, sum);
      const part = floats(backend, product);
      for (let i = 0; i < into.length; i++) into[i] = (into[i] as number) + (part[i] as number);
      release(backend, product);
    }
  }
  release(backend, patches, ...(images === undefined ? [] : [images]));
  return { ...sum!, shape: [KH, KW, C, co] };
}
