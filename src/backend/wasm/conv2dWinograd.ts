/**
 * Conv2D with a filter five columns wide, at column stride 1, by Winograd's minimal filtering F(2, 5) along rows;
 * and its filter gradient by F(5, 2) (filterGradientWinograd).
 *
 * Why: the direct SIMD convolution (conv2dDirect.ts) runs near what 128-bit wasm SIMD without FMA gives here (~52
 * of ~58 GFLOP/s), so only fewer multiplications make it faster. Two neighbouring outputs of a row read six
 * inputs d through five taps g; F(2, 5) gets both from six products, (G·g) ⊙ (Bᵀ·d), added up by Aᵀ, instead of
 * ten. Every row tile of every input channel is transformed once (Bᵀ), every filter row once (G), and each of the
 * six products is then a convolution of the transformed rows with a KH × 1 filter, which is conv2dDirect.ts's
 * kernel again; Aᵀ then gives the two columns. 6/10 of the direct multiply-adds plus the transforms: the MNIST CNN's
 * 5×5 32→64 layer and its input gradient (64→32), 20.4 → 13.7 ms each (kernel alone, CPU time); relative error
 * against the direct sum ~2·10⁻⁶ (points 0, ±1, ±2, ∞).
 *
 *   Bᵀ = [4 0 −5 0 1 0; 0 4 4 −1 −1 0; 0 −4 4 1 −1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
 *   G  = [1/4 0 0 0 0; 1/6 1/6 1/6 1/6 1/6; 1/6 −1/6 1/6 −1/6 1/6;
 *         1/24 1/12 1/6 1/3 2/3; 1/24 −1/12 1/6 −1/3 2/3; 0 0 0 0 1]
 *   Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 1]
 *
 * A chunk of whole images at a time (padded copy, six transformed planes, six product planes), so the buffers stay
 * in cache whatever the batch.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, imagesPerChunk, release, type TensorInfo } from './callKernel.js';
import { simdKernels } from './simd/module.js';

/** The padded copy and the twelve planes built at a time. */
export const WINOGRAD_CHUNK_BYTES = 2 ** 20;

/** G of F(2, 5): row ξ turns a filter row's five taps into the ξ-th of its six transformed taps. */
const G: readonly (readonly number[])[] = [
  [1 / 4, 0, 0, 0, 0],
  [1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6],
  [1 / 6, -1 / 6, 1 / 6, -1 / 6, 1 / 6],
  [1 / 24, 1 / 12, 1 / 6, 1 / 3, 2 / 3],
  [1 / 24, -1 / 12, 1 / 6, -1 / 3, 2 / 3],
  [0, 0, 0, 0, 1],
];
const TAPS = 5;
const POINTS = 6;

/**
 * y of the convolution `info` (NHWC, float32) by F(2, 5) along rows, or undefined where it does not apply: a filter
 * not five columns wide, column stride or dilation not 1, input channels not a multiple of 4, output channels not a
 * multiple of 8, no SIMD. `chunkBytes` bounds a chunk's buffers (tests make it small).
 */
export function convWinogradRows(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  chunkBytes = WINOGRAD_CHUNK_BYTES,
): TensorInfo | undefined {
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: co } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  if (info.dataFormat !== 'channelsLast' || x.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  if (KW !== TAPS || sw !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  if (C % 4 !== 0 || co % 8 !== 0 || batchSize * H * W * C * OH * OW * co === 0) return undefined;
  const simd = simdKernels(backend);
  if (simd === undefined) return undefined;
  const { T, Hp, Wp } = tiles(info);
  const perChunk = imagesPerChunk(chunkBytes, winogradBytesPerImage(info), batchSize);
  const filterRows = KH * C;

  const y = backend.makeOutput([batchSize, OH, OW, co], 'float32');
  const padded = backend.makeOutput([perChunk, Hp, Wp, C], 'float32');
  const rowsIn = backend.makeOutput([POINTS, perChunk * Hp * T * C], 'float32');
  const products = backend.makeOutput([POINTS, perChunk * OH * T * co], 'float32');
  const taps = backend.makeOutput([POINTS, filterRows, co], 'float32');
  const packed = backend.makeOutput([POINTS, filterRows, co], 'float32');
  // Views after every allocation: growing the heap detaches earlier ones.
  transformFilter(backend.typedArrayFromHeap(filter) as Float32Array, backend.typedArrayFromHeap(taps) as Float32Array, KH, C, co);
  const tapsBytes = filterRows * co * 4;
  for (let xi = 0; xi < POINTS; xi++) {
    simd.packColumnBlocks(heapOffset(backend, taps) + xi * tapsBytes, heapOffset(backend, packed) + xi * tapsBytes, filterRows, co);
  }
  for (let first = 0; first < batchSize; first += perChunk) {
    const n = Math.min(perChunk, batchSize - first);
    const inPlane = n * Hp * T * C * 4;
    const outPlane = n * OH * T * co * 4;
    simd.padImages(heapOffset(backend, x) + first * H * W * C * 4, heapOffset(backend, padded), n, H, W, C, Hp, Wp, info.padInfo.top, info.padInfo.left);
    simd.winogradRowsIn(heapOffset(backend, padded), heapOffset(backend, rowsIn), n * Hp, Wp, C, T, inPlane);
    for (let xi = 0; xi < POINTS; xi++) {
      simd.convDirect(
        heapOffset(backend, rowsIn) + xi * inPlane, heapOffset(backend, packed) + xi * tapsBytes, heapOffset(backend, products) + xi * outPlane,
        n, Hp, T, C, OH, T, KH, 1, co, sh, 1,
      );
    }
    simd.winogradRowsOut(heapOffset(backend, products), heapOffset(backend, y) + first * OH * OW * co * 4, n * OH, OW, T, co, outPlane);
  }
  release(backend, padded, rowsIn, products, taps, packed);
  return y;
}

/**
 * dW [KH, 5, C, co] of the convolution `info` (NHWC, float32) from x and dy by F(5, 2) along rows, or undefined
 * where it does not apply (as convWinogradRows, and row stride not 1). Along a row dW[kw] = Σ_t Σ_i x[2t + i + kw] ·
 * dy[2t + i] for i = 0, 1: five outputs from six inputs through two taps, F(5, 2) with the same six points, so the
 * same Bᵀ turns x's rows (winogradRowsIn) and G (6 × 2) turns dy's pairs (winogradGradRowsIn); each of the six
 * products is then, for each filter row kh, a sum over pixels of x's transformed row oh + kh by dy's row oh
 * (gemmTransposedA, [C, co] accumulated over the batch), and Aᵀ (5 × 6, the powers of the points) gives the five taps.
 * It replaces patches · dy (conv2dFilterByProduct.ts): the MNIST CNN's 5×5 32→64 layer, 22.7 → 13.0 ms (kernel alone,
 * CPU time), relative error against it ~10⁻⁶.
 */
export function filterGradientWinograd(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  chunkBytes = WINOGRAD_CHUNK_BYTES,
): TensorInfo | undefined {
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: co } = info;
  const { filterHeight: KH, filterWidth: KW } = info;
  if (info.dataFormat !== 'channelsLast' || x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  if (KW !== TAPS || info.strideWidth !== 1 || info.strideHeight !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  if (C % 4 !== 0 || co % 8 !== 0 || batchSize * H * W * C * OH * OW * co === 0) return undefined;
  const simd = simdKernels(backend);
  if (simd === undefined) return undefined;
  const { T, Hp, Wp } = tiles(info);
  const perChunk = imagesPerChunk(chunkBytes, winogradBytesPerImage(info), batchSize);
  const block = C * co;

  const dW = backend.makeOutput([KH, TAPS, C, co], 'float32');
  const padded = backend.makeOutput([perChunk, Hp, Wp, C], 'float32');
  const rowsIn = backend.makeOutput([POINTS, perChunk * Hp * T * C], 'float32');
  const gradRows = backend.makeOutput([POINTS, perChunk * OH * T * co], 'float32');
  const products = backend.makeOutput([POINTS, KH, block], 'float32');
  (backend.typedArrayFromHeap(products) as Float32Array).fill(0);
  for (let first = 0; first < batchSize; first += perChunk) {
    const n = Math.min(perChunk, batchSize - first);
    const inPlane = n * Hp * T * C * 4;
    const gradPlane = n * OH * T * co * 4;
    simd.padImages(heapOffset(backend, x) + first * H * W * C * 4, heapOffset(backend, padded), n, H, W, C, Hp, Wp, info.padInfo.top, info.padInfo.left);
    simd.winogradRowsIn(heapOffset(backend, padded), heapOffset(backend, rowsIn), n * Hp, Wp, C, T, inPlane);
    simd.winogradGradRowsIn(heapOffset(backend, dy) + first * OH * OW * co * 4, heapOffset(backend, gradRows), n * OH, OW, T, co, gradPlane);
    for (let xi = 0; xi < POINTS; xi++) {
      for (let kh = 0; kh < KH; kh++) {
        simd.gemmTransposedA(
          heapOffset(backend, rowsIn) + xi * inPlane + kh * T * C * 4, heapOffset(backend, gradRows) + xi * gradPlane,
          heapOffset(backend, products) + (xi * KH + kh) * block * 4, C, OH * T, co, C * 4, n, Hp * T * C * 4, OH * T * co * 4,
        );
      }
    }
  }
  tapsFromProducts(backend.typedArrayFromHeap(products) as Float32Array, backend.typedArrayFromHeap(dW) as Float32Array, KH, block);
  release(backend, padded, rowsIn, gradRows, products);
  return dW;
}

/** Aᵀ of F(5, 2): tap kw = Σ_ξ p_ξ^kw · product ξ over the points 0, 1, −1, 2, −2 (∞ adds to the last tap only). */
const A_T: readonly (readonly number[])[] = [
  [1, 1, 1, 1, 1, 0],
  [0, 1, -1, 2, -2, 0],
  [0, 1, 1, 4, 4, 0],
  [0, 1, -1, 8, -8, 0],
  [0, 1, 1, 16, 16, 1],
];

/** products [6, KH, block] into dW [KH, 5, block] (float64 sums). */
function tapsFromProducts(products: Float32Array, dW: Float32Array, KH: number, block: number): void {
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < TAPS; kw++) {
      const a = A_T[kw]!;
      const to = (kh * TAPS + kw) * block;
      for (let i = 0; i < block; i++) {
        let s = 0;
        for (let xi = 0; xi < POINTS; xi++) s += (a[xi] as number) * (products[(xi * KH + kh) * block + i] as number);
        dW[to + i] = s;
      }
    }
  }
}

/** Tiles a row and the padded copy's rows and columns: the rows the convolution reads, the columns up to the last tile's sixth (past the image: zeros). */
function tiles(info: tf.backend_util.Conv2DInfo): { T: number; Hp: number; Wp: number } {
  const T = Math.ceil(info.outWidth / 2);
  return { T, Hp: (info.outHeight - 1) * info.strideHeight + info.filterHeight, Wp: 2 * T + TAPS - 1 };
}

/** Bytes of one image's padded copy, transformed rows and products. */
export function winogradBytesPerImage(info: tf.backend_util.Conv2DInfo): number {
  const { T, Hp, Wp } = tiles(info);
  return 4 * (Hp * Wp * info.inChannels + POINTS * (Hp * T * info.inChannels + info.outHeight * T * info.outChannels));
}

/** w [KH, 5, C, co] into [6, KH·C, co]: out[ξ][kh, c, j] = Σ_kw G[ξ][kw] · w[kh, kw, c, j] (float64 sums). */
function transformFilter(w: Float32Array, out: Float32Array, KH: number, C: number, co: number): void {
  const row = C * co;
  for (let xi = 0; xi < POINTS; xi++) {
    const g = G[xi]!;
    for (let kh = 0; kh < KH; kh++) {
      const from = kh * TAPS * row;
      const to = (xi * KH + kh) * row;
      for (let i = 0; i < row; i++) {
        let s = 0;
        for (let kw = 0; kw < TAPS; kw++) s += (g[kw] as number) * (w[from + kw * row + i] as number);
        out[to + i] = s;
      }
    }
  }
}
