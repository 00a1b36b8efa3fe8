/**
 * Conv2D with a filter five columns wide, at column stride 1, by Winograd's minimal filtering F(4, 5) along rows;
 * and its filter gradient by F(5, 4) (filterGradientWinograd).
 *
 * Why: the direct SIMD convolution (conv2dDirect.ts) runs near what 128-bit wasm SIMD without FMA gives here (~52
 * of ~58 GFLOP/s), so only fewer multiplications make it faster. Four neighbouring outputs of a row read eight
 * inputs d through five taps g; F(4, 5) gets them from eight products, (G·g) ⊙ (Bᵀ·d), added up by Aᵀ, instead of
 * twenty. Every row tile of every input channel is transformed once (Bᵀ, winogradRowsIn), every filter row once
 * (G), and each of the eight products is then a convolution of the transformed rows with a KH × 1 filter, which is
 * conv2dDirect.ts's kernel again; Aᵀ (winogradRowsOut) gives the four columns. 8/20 of the direct multiply-adds
 * plus the transforms: the MNIST CNN's 5×5 32→64 layer and its input gradient (64→32), 20.3 → 11.1 ms each (kernel
 * alone, CPU time; F(2, 5), tried first, 13.7 ms). The points are 0, ±1, ±2, ±1/2 and ∞, those of the common
 * F(6, 3); relative error against the direct sum ~3·10⁻⁶ on that layer (F(2, 5): ~2·10⁻⁶).
 *
 *   Bᵀ = [1 0 −21/4 0 21/4 0 −1 0; 0 1 1 −17/4 −17/4 1 1 0; 0 −1 1 17/4 −17/4 −1 1 0;
 *         0 1/2 1/4 −5/2 −5/4 2 1 0; 0 −1/2 1/4 5/2 −5/4 −2 1 0; 0 2 4 −5/2 −5 1/2 1 0;
 *         0 −2 4 5/2 −5 −1/2 1 0; 0 −1 0 21/4 0 −21/4 0 1]
 *   G  = the values at the points of the taps' polynomial Σ g_k xᵏ, row ξ divided by Bᵀ's scale SCALE[ξ]
 *   Aᵀ = the powers of the points, xⁱ (∞: the last row's 1)
 *
 * A chunk of whole images at a time (padded copy, eight transformed planes, eight product planes), so the buffers
 * stay in cache whatever the batch.
 */
import tf from '#tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, imagesPerChunk, release, type TensorInfo } from './callKernel.js';
import { simdKernels } from './simd/module.js';

/** The padded copy and the sixteen planes built at a time. */
export const WINOGRAD_CHUNK_BYTES = 2 ** 20;

const TAPS = 5;
/** Outputs of a row tile (F(4, 5)); the filter gradient's tile of dy columns (F(5, 4)). */
const TILE = 4;
const FINITE_POINTS = [0, 1, -1, 2, -2, 1 / 2, -1 / 2];
const POINTS = FINITE_POINTS.length + 1;
/** What each row of the textbook Bᵀ (the interpolation's transpose) was multiplied by to give the Bᵀ above. */
const SCALE = [1, -9 / 2, -9 / 2, 90, 90, 45 / 32, 45 / 32, 1];

/** G [8, r]: the polynomial of r coefficients at each point (∞: its last coefficient), over SCALE. */
function valuesAtPoints(r: number): number[] {
  const rows = [...FINITE_POINTS.map((p) => Array.from({ length: r }, (_, k) => p ** k)), Array.from({ length: r }, (_, k) => (k === r - 1 ? 1 : 0))];
  return rows.flatMap((row, xi) => row.map((v) => v / (SCALE[xi] as number)));
}
/** Aᵀ [m, 8]: the powers 0 … m − 1 of the points (∞ adds to the last power only). */
function powersOfPoints(m: number): number[] {
  return Array.from({ length: m }, (_, i) => [...FINITE_POINTS.map((p) => p ** i), i === m - 1 ? 1 : 0]).flat();
}
const G_FILTER = valuesAtPoints(TAPS);
const A_T_TAPS = powersOfPoints(TAPS);

/** Tiles a row and the padded copy's rows and columns: the rows the convolution reads, the columns up to the last tile's eighth (past the image: zeros). */
function tiles(info: tf.backend_util.Conv2DInfo): { T: number; Hp: number; Wp: number } {
  const T = Math.ceil(info.outWidth / TILE);
  return { T, Hp: (info.outHeight - 1) * info.strideHeight + info.filterHeight, Wp: TILE * T + TAPS - 1 };
}

/** Bytes of one image's padded copy, transformed rows and products (or transformed dy). */
export function winogradBytesPerImage(info: tf.backend_util.Conv2DInfo): number {
  const { T, Hp, Wp } = tiles(info);
  return 4 * (Hp * Wp * info.inChannels + POINTS * (Hp * T * info.inChannels + info.outHeight * T * info.outChannels));
}

function applies(info: tf.backend_util.Conv2DInfo, x: TensorInfo, other: TensorInfo): boolean {
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: co } = info;
  return (
    info.dataFormat === 'channelsLast' && x.dtype === 'float32' && other.dtype === 'float32' &&
    info.filterWidth === TAPS && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1 &&
    C % 4 === 0 && co % 8 === 0 && batchSize * H * W * C * OH * OW * co > 0
  );
}

/** A small matrix written into the heap for combinePlanes (the caller releases it). */
function heapMatrix(backend: BackendWasm, values: number[]): TensorInfo {
  const m = backend.makeOutput([values.length], 'float32');
  (backend.typedArrayFromHeap(m) as Float32Array).set(values);
  return m;
}

/**
 * y of the convolution `info` (NHWC, float32) by F(4, 5) along rows, or undefined where it does not apply: a filter
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
  if (!applies(info, x, filter)) return undefined;
  const simd = simdKernels(backend);
  if (simd === undefined) return undefined;
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: co } = info;
  const { filterHeight: KH, strideHeight: sh } = info;
  const { T, Hp, Wp } = tiles(info);
  const perChunk = imagesPerChunk(chunkBytes, winogradBytesPerImage(info), batchSize);
  const block = C * co;
  const filterRows = KH * C;

  const y = backend.makeOutput([batchSize, OH, OW, co], 'float32');
  const padded = backend.makeOutput([perChunk, Hp, Wp, C], 'float32');
  const rowsIn = backend.makeOutput([POINTS, perChunk * Hp * T * C], 'float32');
  const products = backend.makeOutput([POINTS, perChunk * OH * T * co], 'float32');
  const taps = backend.makeOutput([POINTS, filterRows, co], 'float32');
  const packed = backend.makeOutput([POINTS, filterRows, co], 'float32');
  const g = heapMatrix(backend, G_FILTER);
  // Filter row kh's five taps [5, C, co] into the eight planes' row kh: taps [ξ, kh, C, co].
  for (let kh = 0; kh < KH; kh++) {
    simd.combinePlanes(heapOffset(backend, filter) + kh * TAPS * block * 4, block * 4, heapOffset(backend, taps) + kh * block * 4, KH * block * 4, block, TAPS, POINTS, heapOffset(backend, g));
  }
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
  release(backend, padded, rowsIn, products, taps, packed, g);
  return y;
}

/**
 * dW [KH, 5, C, co] of the convolution `info` (NHWC, float32) from x and dy by F(5, 4) along rows, or undefined
 * where it does not apply (as convWinogradRows, and row stride not 1). Along a row dW[kw] = Σ_t Σ_i x[4t + i + kw] ·
 * dy[4t + i] for i = 0 … 3: five outputs from eight inputs through four taps, F(5, 4) on the same eight points, so
 * the same Bᵀ turns x's rows (winogradRowsIn) and G (8 × 4) turns dy's columns (winogradGradRowsIn); each of the
 * eight products is then, for each filter row kh, a sum over pixels of x's transformed row oh + kh by dy's row oh
 * (gemmTransposedA, [C, co] accumulated over the batch), and Aᵀ (5 × 8) gives the five taps. It replaces
 * patches · dy (conv2dFilterByProduct.ts): the MNIST CNN's 5×5 32→64 layer, 22.7 → 9.9 ms (kernel alone, CPU time;
 * F(5, 2), tried first, 13.0 ms), relative error against it ~6·10⁻⁷.
 */
export function filterGradientWinograd(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  chunkBytes = WINOGRAD_CHUNK_BYTES,
): TensorInfo | undefined {
  if (!applies(info, x, dy) || info.strideHeight !== 1) return undefined;
  const simd = simdKernels(backend);
  if (simd === undefined) return undefined;
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: co } = info;
  const KH = info.filterHeight;
  const { T, Hp, Wp } = tiles(info);
  const perChunk = imagesPerChunk(chunkBytes, winogradBytesPerImage(info), batchSize);
  const block = C * co;

  const dW = backend.makeOutput([KH, TAPS, C, co], 'float32');
  const padded = backend.makeOutput([perChunk, Hp, Wp, C], 'float32');
  const rowsIn = backend.makeOutput([POINTS, perChunk * Hp * T * C], 'float32');
  const gradRows = backend.makeOutput([POINTS, perChunk * OH * T * co], 'float32');
  const products = backend.makeOutput([POINTS, KH, block], 'float32');
  const aT = heapMatrix(backend, A_T_TAPS);
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
          heapOffset(backend, products) + (xi * KH + kh) * block * 4, C, OH * T, co, C * 4, n, Hp * T * C * 4, OH * T * co * 4, 1,
        );
      }
    }
  }
  // Filter row kh's eight products [ξ, kh, C, co] into its five taps dW [kh, 5, C, co].
  for (let kh = 0; kh < KH; kh++) {
    simd.combinePlanes(heapOffset(backend, products) + kh * block * 4, KH * block * 4, heapOffset(backend, dW) + kh * TAPS * block * 4, block * 4, block, POINTS, TAPS, heapOffset(backend, aT));
  }
  release(backend, padded, rowsIn, gradRows, products, aT);
  return dW;
}
