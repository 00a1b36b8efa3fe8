/**
 * Conv2DBackpropInput for wasm through XNNPACK's convolution.
 *
 * tfjs-backend-wasm's own kernel is a scalar loop (~2 GFLOP/s; it dominated the
 * MNIST CNN step). The input gradient of a convolution is a "full" convolution of
 * dy with the filter rotated by 180° and its channel axes swapped; for stride s > 1
 * dy is first spread out with s − 1 zeros between rows/columns.
 *
 *   dx[h] = Σ_k dy[(h + top − k·d)/s] · W[k]   ⇒   dx = conv(spread(dy), rot180(W)ᵀ, pad = (K−1)·d − top, dilation d)
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasmKernel, release, transposeInfo, type TensorInfo } from './callKernel.js';

interface Conv2DBackpropInputAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

type Args = { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs };

/** Inserts s−1 zero rows/columns between dy's rows/columns (the transpose of striding). */
function spread(backend: BackendWasm, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  if (sh === 1 && sw === 1) return dy;
  const [b, h, w, c] = dy.shape as [number, number, number, number];
  const view = { ...dy, shape: [b, h, 1, w, 1, c] };
  const padded = callWasmKernel(
    backend,
    'PadV2',
    { x: view },
    { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 },
  );
  const flat = { ...padded, shape: [b, h * sh, w * sw, c] };
  const out = callWasmKernel(backend, 'Slice', { x: flat }, { begin: [0, 0, 0, 0], size: [b, (h - 1) * sh + 1, (w - 1) * sw + 1, c] });
  release(backend, padded);
  return out;
}

export function conv2dBackpropInputViaConv(original: tf.KernelFunc) {
  return (args: Args): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs;
    if (attrs.dataFormat === 'NCHW') return original(args as never) as TensorInfo;
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape,
      filter.shape as [number, number, number, number],
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, inHeight, inWidth } = info;
    const { dilationHeight: dh, dilationWidth: dw } = info;
    const spreadH = (info.outHeight - 1) * sh + 1;
    const spreadW = (info.outWidth - 1) * sw + 1;
    const top = (kh - 1) * dh - info.padInfo.top;
    const left = (kw - 1) * dw - info.padInfo.left;
    const bottom = inHeight + (kh - 1) * dh - spreadH - top;
    const right = inWidth + (kw - 1) * dw - spreadW - left;
    // Padding larger than the filter reach would need negative padding here; rare, so defer.
    if (top < 0 || left < 0 || bottom < 0 || right < 0) return original(args as never) as TensorInfo;

    const dySpread = spread(backend, dy, sh, sw);
    const flipped = callWasmKernel(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
    const rotated = transposeInfo(backend, flipped, [0, 1, 3, 2]); // [kh, kw, outC, inC]
    release(backend, flipped);
    const dx = callWasmKernel(
      backend,
      'Conv2D',
      { x: dySpread, filter: rotated },
      { strides: [1, 1], dilations: [dh, dw], pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC' },
    );
    release(backend, rotated);
    if (dySpread !== dy) release(backend, dySpread);
    return dx;
  };
}
