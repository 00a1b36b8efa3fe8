/**
 * Conv2D computed directly in kernels.wat's convDirect, on zero-padded copies of a few images at a time.
 *
 * Why: for the MNIST CNN and ResNet-8 layers XNNPACK's convolution ran at 9–12 GFLOP/s on one to three input
 * channels (a reduction of 25–27 terms) and 22–29 GFLOP/s on the others; convDirect keeps four output pixels by
 * eight output channels in registers and reads each filter row's inputs as one contiguous run of the padded image,
 * 20–37 GFLOP/s on the same layers (one-call CPU times, interleaved). The stride-1 input gradient
 * (conv2dBackpropInput.ts) is a Conv2D too and takes this path. The filter is first packed into blocks of eight
 * output channels, each contiguous, so the kernel reads a block's rows in order (the filter's rows are co floats
 * apart otherwise), and the four pixels of a tile run on across output rows and images, so no row ends in pixels
 * done one at a time: the MNIST CNN's 5×5 32→64 layer went from 44–46 to 49–52 GFLOP/s (kernel alone, CPU time).
 */
import tf from '#tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, imagesPerChunk, release, type TensorInfo } from './callKernel.js';
import { simdKernels } from './simd/module.js';
import { convWinogradRows } from './conv2dWinograd.js';

/** Padded images built at a time: a cache-sized buffer whatever the batch. */
export const PADDED_CHUNK_BYTES = 2 ** 20;

interface Conv2DAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}
type Args = { inputs: { x: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DAttrs };

/**
 * y of the convolution, or undefined where the direct path does not apply (NCHW, dilation, output channels not a
 * multiple of 8, no SIMD; the original kernel serves). `chunkBytes` bounds the padded copy (tests make it small).
 */
export function convDirect(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs, chunkBytes = PADDED_CHUNK_BYTES): TensorInfo | undefined {
  if (attrs.dataFormat === 'NCHW' || x.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: co } = info;
  if (co % 8 !== 0 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  if (batchSize * H * W * C * OH * OW * co === 0) return undefined;
  const simd = simdKernels(backend);
  if (simd === undefined) return undefined;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  // Only the rows and columns the convolution reads.
  const Hp = (OH - 1) * sh + KH;
  const Wp = (OW - 1) * sw + KW;
  const perChunk = imagesPerChunk(chunkBytes, Hp * Wp * C * 4, batchSize);
  const y = backend.makeOutput([batchSize, OH, OW, co], 'float32');
  const padded = backend.makeOutput([perChunk, Hp, Wp, C], 'float32');
  const packed = backend.makeOutput([KH * KW * C, co], 'float32');
  simd.packColumnBlocks(heapOffset(backend, filter), heapOffset(backend, packed), KH * KW * C, co);
  for (let first = 0; first < batchSize; first += perChunk) {
    const n = Math.min(perChunk, batchSize - first);
    simd.padImages(heapOffset(backend, x) + first * H * W * C * 4, heapOffset(backend, padded), n, H, W, C, Hp, Wp, info.padInfo.top, info.padInfo.left);
    simd.convDirect(heapOffset(backend, padded), heapOffset(backend, packed), heapOffset(backend, y) + first * OH * OW * co * 4, n, Hp, Wp, C, OH, OW, KH, KW, co, sh, sw);
  }
  release(backend, padded, packed);
  return y;
}

/**
 * The original kernel with 'same' padding given as the explicit amounts tfjs computes: with 'same' it lets XNNPACK
 * work the padding out (its TensorFlow-SAME flag), which returned all zeros for a 2×2 filter at stride 3 on a 9×9
 * input (tfjs-backend-wasm 4.22), where the amounts are zero.
 */
function withExplicitPadding(original: tf.KernelFunc, args: Args): TensorInfo {
  const { x, filter } = args.inputs;
  if (args.attrs.pad !== 'same') return original(args as never) as TensorInfo;
  const { top, bottom, left, right } = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    args.attrs.strides,
    args.attrs.dilations,
    'same',
    args.attrs.dimRoundingMode,
    false,
    args.attrs.dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast',
  ).padInfo;
  const sides: [number, number][] = [[top, bottom], [left, right]];
  const pad = (args.attrs.dataFormat === 'NCHW' ? [[0, 0], [0, 0], ...sides] : [[0, 0], ...sides, [0, 0]]) as tf.backend_util.ExplicitPadding;
  return original({ ...args, attrs: { ...args.attrs, pad } } as never) as TensorInfo;
}

/** Conv2D on wasm: by F(4, 5) along rows where the filter is five columns wide (conv2dWinograd.ts), else direct, else tfjs's kernel. */
export function conv2dDirect(original: tf.KernelFunc) {
  return (args: Args): TensorInfo => {
    const { backend, inputs, attrs } = args;
    if (attrs.dataFormat !== 'NCHW') {
      const info = tf.backend_util.computeConv2DInfo(
        inputs.x.shape as [number, number, number, number],
        inputs.filter.shape as [number, number, number, number],
        attrs.strides,
        attrs.dilations,
        attrs.pad,
        attrs.dimRoundingMode,
      );
      const rows = convWinogradRows(backend, inputs.x, inputs.filter, info);
      if (rows !== undefined) return rows;
    }
    return convDirect(backend, inputs.x, inputs.filter, attrs) ?? withExplicitPadding(original, args);
  };
}
