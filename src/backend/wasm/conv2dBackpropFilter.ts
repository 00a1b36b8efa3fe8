/**
 * `Conv2DBackpropFilter` for the wasm backend (tfjs-backend-wasm does not ship it,
 * so CNNs cannot train there without it).
 *
 * dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s + kh·d − pad, ow·s + kw·d − pad, ci] · dy[b,oh,ow,co]
 *
 * With wasm SIMD and co a multiple of 8 this is one matrix product of the input patches
 * with dy (conv2dFilterByProduct.ts, 2–3× faster on ResNet-8's layers). Otherwise it is
 * itself a convolution: take x with its batch and channel axes swapped
 * ([ci,H,W,b] — "ci images with b channels") and convolve it with dy viewed as a
 * filter ([oh,ow,b,co]), using the forward dilation as stride and the forward stride
 * as dilation. The result [ci,kh,kw,co] is transposed to the filter layout. All
 * heavy work runs in XNNPACK's convolution, which is the fastest path wasm offers.
 *
 * A 1×1 filter needs no convolution: dW = x̂ᵀ·dy with x̂ [b·oh·ow, ci] the pixels the
 * forward pass read, one matrix product. (ResNet-8's stride-2 projections: 20–23 ms as
 * the convolution above, whose filter is all of dy, for 0.034 GFLOP; 4–9 ms this way.)
 */
import tf from '#tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasmKernel, release, transposeInfo, type TensorInfo } from './callKernel.js';
import { filterGradientByProduct } from './conv2dFilterByProduct.js';
import { filterGradientWinograd } from './conv2dWinograd.js';

/**
 * x̂ᵀ [ci, b·oh·ow] of a 1×1 convolution: channel c of the input pixel (oh·sh − top, ow·sw − left) that output
 * position read (zero in the padding). With stride 1 and no padding this is x with its pixel and channel axes
 * swapped.
 */
function pixelsRead(backend: BackendWasm, x: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth, strideHeight, strideWidth } = info;
  const pixels = batchSize * outHeight * outWidth;
  const out = backend.makeOutput([ci, pixels], 'float32');
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const h0 = -info.padInfo.top;
  const w0 = -info.padInfo.left;
  let p = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h = oh * strideHeight + h0;
      for (let ow = 0; ow < outWidth; ow++, p++) {
        const w = ow * strideWidth + w0;
        if (h < 0 || h >= inHeight || w < 0 || w >= inWidth) {
          for (let c = 0; c < ci; c++) dst[c * pixels + p] = 0;
          continue;
        }
        const base = ((b * inHeight + h) * inWidth + w) * ci;
        for (let c = 0, at = p; c < ci; c++, at += pixels) dst[at] = src[base + c] as number;
      }
    }
  }
  return out;
}

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function conv2dBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  if (attrs.dataFormat === 'NCHW') {
    throw new Error("alphaopt's wasm Conv2DBackpropFilter supports dataFormat 'NHWC' only; use channelsLast layers");
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const float32 = x.dtype === 'float32' && dy.dtype === 'float32';
  const byProduct = float32 ? (filterGradientWinograd(backend, x, dy, info) ?? filterGradientByProduct(backend, x, dy, info)) : undefined;
  if (byProduct !== undefined) return byProduct;
  if (info.filterHeight === 1 && info.filterWidth === 1 && float32) {
    const columns = pixelsRead(backend, x, info); // [ci, b·oh·ow]
    const flatDy = { ...dy, shape: [dy.shape.reduce((a, b) => a * b, 1) / info.outChannels, info.outChannels] };
    const dW = callWasmKernel(backend, 'BatchMatMul', { a: columns, b: flatDy }, { transposeA: false, transposeB: false });
    release(backend, columns);
    return { ...dW, shape: attrs.filterShape };
  }
  return filterGradient(backend, x, dy, info);
}

/**
 * Shared by Conv2DBackpropFilter and (per channel group) the depthwise variant:
 * `info` describes the forward convolution whose filter gradient we want.
 */
export function filterGradient(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, inChannels: ci, outChannels: co } = info;
  const { top, bottom, left, right } = info.padInfo;
  const [, inH, inW] = x.shape as [number, number, number, number];
  const [, outH, outW] = dy.shape as [number, number, number, number];

  // Only the rows/cols the forward pass actually read: trimming the far padding
  // keeps the gradient convolution's output exactly kh × kw.
  const padBottom = Math.min(bottom, Math.max(0, (outH - 1) * sh + (kh - 1) * dh + 1 - inH - top));
  const padRight = Math.min(right, Math.max(0, (outW - 1) * sw + (kw - 1) * dw + 1 - inW - left));

  const xT = transposeInfo(backend, x, [3, 1, 2, 0]); // [ci, H, W, b]
  const dyT = transposeInfo(backend, dy, [1, 2, 0, 3]); // [oh, ow, b, co]
  const swapped = callWasmKernel(
    backend,
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [dh, dw],
      dilations: [sh, sw],
      pad: [
        [0, 0],
        [top, padBottom],
        [left, padRight],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    },
  ); // [ci, kh', kw', co], kh' ≥ kh when the input had rows the forward pass never read
  release(backend, xT, dyT);

  let cropped = swapped;
  const [, gotH, gotW] = swapped.shape;
  if (gotH !== kh || gotW !== kw) {
    cropped = callWasmKernel(backend, 'Slice', { x: swapped }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
    release(backend, swapped);
  }
  const dW = transposeInfo(backend, cropped, [1, 2, 0, 3]); // [kh, kw, ci, co]
  release(backend, cropped);
  return dW;
}
