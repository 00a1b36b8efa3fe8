/**
 * Conv2DBackpropInput for wasm through XNNPACK's convolution.
 *
 * tfjs-backend-wasm's own kernel is a scalar loop (~2 GFLOP/s; it dominated the MNIST CNN step). The input
 * gradient of a stride-1 convolution is a "full" convolution of dy with the filter rotated by 180° and its
 * channel axes swapped:
 *
 *   dx[h] = Σ_k dy[(h + top − k)/s] · W[k]   (s = 1: dx = conv(dy, rot180(W)ᵀ, pad = (K − 1) − top))
 *
 * For stride s > 1 only the taps k ≡ h + top (mod s) reach row h, so the rows of one phase h ≡ p (mod s) are a
 * stride-1 convolution of dy with those taps, and the s² phases together do exactly the forward convolution's
 * multiply-adds; their results are interleaved into dx. (Spreading dy with s − 1 zeros between rows and columns
 * instead, as this kernel did before, makes the convolution s² times larger: in a ResNet-8 step on CIFAR the
 * 3×3 stride-2 layers' input gradients took 74–101 ms each against 11–17 ms for their forward convolutions.)
 * With wasm SIMD a strided input gradient whose kh·kw·ci is a multiple of 8 is a product and a scatter instead
 * (conv2dInputByProduct.ts), faster than the phases' small convolutions and their interleave.
 */
import tf from '#tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasmKernel, release, type TensorInfo } from './callKernel.js';
import { inputGradientByProduct } from './conv2dInputByProduct.js';

interface Conv2DBackpropInputAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

type Args = { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs };

/** One phase along one axis: which taps reach it and how its rows sit in the phase convolution's output. */
interface AxisPhase {
  /** First tap k ≡ phase + padBefore (mod s); the taps are first, first + s, … below the filter size. */
  first: number;
  taps: number;
  /** dx positions phase, phase + s, …, below the input size. */
  count: number;
  /** Padding of the phase convolution before and after dy (never negative). */
  before: number;
  after: number;
  /** Rows of the phase convolution's output to skip before the first dx row (where the padding would be negative). */
  skip: number;
}

function axisPhase(phase: number, stride: number, kernel: number, padBefore: number, inSize: number, dySize: number): AxisPhase {
  const first = (phase + padBefore) % stride;
  const taps = first < kernel ? Math.ceil((kernel - first) / stride) : 0;
  const count = phase < inSize ? Math.ceil((inSize - phase) / stride) : 0;
  // dx[phase + s·i] = Σ_j dy[i + q − j] · W[first + j·s] with q = (phase + padBefore − first) / s: a convolution of dy
  // with the reversed taps and padding (taps − 1) − q before it.
  const q = (phase + padBefore - first) / stride;
  const wanted = taps - 1 - q;
  const before = Math.max(0, wanted);
  const skip = before - wanted;
  const after = Math.max(0, count + skip - dySize - before + taps - 1);
  return { first, taps, count, before, after, skip };
}

/** The phase's taps of filter [kh, kw, inC, outC], rotated by 180° and with channels swapped: [th, tw, outC, inC]. */
function phaseFilter(backend: BackendWasm, filter: TensorInfo, rows: AxisPhase, cols: AxisPhase, stride: [number, number]): TensorInfo {
  const [, kw, inC, outC] = filter.shape as [number, number, number, number];
  const out = backend.makeOutput([rows.taps, cols.taps, outC, inC], 'float32');
  const w = backend.typedArrayFromHeap(filter) as Float32Array;
  const f = backend.typedArrayFromHeap(out) as Float32Array;
  let at = 0;
  for (let i = rows.taps - 1; i >= 0; i--) {
    const kh = rows.first + i * stride[0];
    for (let j = cols.taps - 1; j >= 0; j--) {
      const base = (kh * kw + cols.first + j * stride[1]) * inC * outC;
      for (let o = 0; o < outC; o++) {
        for (let c = 0; c < inC; c++) f[at++] = w[base + c * outC + o] as number;
      }
    }
  }
  return out;
}

interface Geometry {
  inputShape: [number, number, number, number];
  stride: [number, number];
  kernel: [number, number];
  /** Forward padding before the first row and column. */
  top: number;
  left: number;
}

/** dx [batch, inH, inW, inC] of an NHWC convolution with dilation 1, from dy and the filter. */
function inputGradient(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, g: Geometry): TensorInfo {
  const [batch, inH, inW, inC] = g.inputShape;
  const [, dyH, dyW] = dy.shape as [number, number, number, number];
  const [sh, sw] = g.stride;
  const rowPhases = Array.from({ length: sh }, (_, p) => axisPhase(p, sh, g.kernel[0], g.top, inH, dyH));
  const colPhases = Array.from({ length: sw }, (_, p) => axisPhase(p, sw, g.kernel[1], g.left, inW, dyW));
  // Allocated at the first phase that is not dx itself. A phase no tap reaches has a zero dx (1×1 stride-2
  // convolutions read one pixel in four).
  let out: TensorInfo | undefined;
  const target = (): TensorInfo => {
    if (out !== undefined) return out;
    out = backend.makeOutput(g.inputShape, 'float32');
    if (rowPhases.some((r) => r.taps === 0) || colPhases.some((c) => c.taps === 0)) (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
    return out;
  };
  for (let ph = 0; ph < sh; ph++) {
    const rows = rowPhases[ph]!;
    for (let pw = 0; pw < sw; pw++) {
      const cols = colPhases[pw]!;
      if (rows.count === 0 || cols.count === 0 || rows.taps === 0 || cols.taps === 0) continue;
      const sub = phaseFilter(backend, filter, rows, cols, g.stride);
      const part = callWasmKernel(
        backend,
        'Conv2D',
        { x: dy, filter: sub },
        { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [rows.before, rows.after], [cols.before, cols.after], [0, 0]], dataFormat: 'NHWC' },
      );
      release(backend, sub);
      if (sh === 1 && sw === 1 && rows.skip === 0 && cols.skip === 0 && part.shape[1] === inH && part.shape[2] === inW) {
        return part; // stride 1: the one phase is dx
      }
      const whole = target();
      // Views after every allocation: growing the heap detaches earlier ones.
      const src = backend.typedArrayFromHeap(part) as Float32Array;
      const dst = backend.typedArrayFromHeap(whole) as Float32Array;
      const [, partH, partW] = part.shape as [number, number, number, number];
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < rows.count; i++) {
          let from = ((b * partH + i + rows.skip) * partW + cols.skip) * inC;
          let to = ((b * inH + ph + i * sh) * inW + pw) * inC;
          for (let j = 0; j < cols.count; j++, from += inC, to += sw * inC) {
            for (let c = 0; c < inC; c++) dst[to + c] = src[from + c] as number;
          }
        }
      }
      release(backend, part);
    }
  }
  return target();
}

export function conv2dBackpropInputViaConv(original: tf.KernelFunc) {
  return (args: Args): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs;
    if (attrs.dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32') return original(args as never) as TensorInfo;
    // tfjs's conv2d gradients are defined for dilation 1 only, and this kernel's attributes carry none.
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape,
      filter.shape as [number, number, number, number],
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    if (info.strideHeight > 1 || info.strideWidth > 1) {
      const byProduct = inputGradientByProduct(backend, dy, filter, info);
      if (byProduct !== undefined) return byProduct;
    }
    return inputGradient(backend, dy, filter, {
      inputShape: attrs.inputShape,
      stride: [info.strideHeight, info.strideWidth],
      kernel: [info.filterHeight, info.filterWidth],
      top: info.padInfo.top,
      left: info.padInfo.left,
    });
  };
}
