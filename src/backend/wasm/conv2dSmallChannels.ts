/**
 * Conv2D for inputs of few channels (an image network's first layer) computed directly in kernels.wat's
 * convSmallChannels, on a zero-padded copy of the input.
 *
 * Why: XNNPACK's convolution reduces over kh·kw·ci, which is 25 for the MNIST CNN's 5×5 first layer on one
 * channel and 27 for ResNet-8's 3×3 stem on RGB; on such short reductions it ran at 9–12 GFLOP/s here against
 * ~29 for the second layer. Four output pixels by eight output channels at a time, each filter row's inputs one
 * contiguous run of the padded image, keeps the short reduction in registers.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { release, type TensorInfo } from './callKernel.js';
import { simdKernels } from './simd/module.js';

/** Input channels up to which the direct path runs; above, XNNPACK's reduction is long enough. */
export const SMALL_CHANNELS = 4;

interface Conv2DAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}
type Args = { inputs: { x: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DAttrs };

const offset = (backend: BackendWasm, t: TensorInfo) => backend.dataIdMap.get(t.dataId)!.memoryOffset;

/** y of the convolution, or undefined where the direct path does not apply (the original kernel serves). */
export function convSmallChannels(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs): TensorInfo | undefined {
  if (attrs.dataFormat === 'NCHW' || x.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: n, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: co } = info;
  if (C > SMALL_CHANNELS || co % 8 !== 0 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  if (n * H * W * OH * OW * co === 0) return undefined;
  const simd = simdKernels(backend);
  if (simd === undefined) return undefined;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  // Only the rows and columns the convolution reads.
  const Hp = (OH - 1) * sh + KH;
  const Wp = (OW - 1) * sw + KW;
  const padded = backend.makeOutput([n, Hp, Wp, C], 'float32');
  simd.padImages(offset(backend, x), offset(backend, padded), n, H, W, C, Hp, Wp, info.padInfo.top, info.padInfo.left);
  const y = backend.makeOutput([n, OH, OW, co], 'float32');
  simd.convSmallChannels(offset(backend, padded), offset(backend, filter), offset(backend, y), n, Hp, Wp, C, OH, OW, KH, KW, co, sh, sw);
  release(backend, padded);
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

export function conv2dSmallChannels(original: tf.KernelFunc) {
  return (args: Args): TensorInfo => convSmallChannels(args.backend, args.inputs.x, args.inputs.filter, args.attrs) ?? withExplicitPadding(original, args);
}
