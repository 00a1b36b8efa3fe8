/**
 * Sum and Mean over leading axes for wasm, as one pass without a transpose.
 *
 * tfjs-backend-wasm moves the reduced axes last (a Transpose of the whole input) before reducing. Batch norm
 * reduces [batch, h, w, c] over (batch, h, w): in a ResNet-8 step on CIFAR those reductions took ~325 ms of
 * ~1,240. Reducing leading axes is a strided accumulation into one row of the trailing size: one sequential pass
 * with float64 accumulators, kernels.wat's channelSums where wasm SIMD is available (3× the JavaScript loop on
 * [39200, 32]), else a JavaScript loop. Other reductions fall back.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from './callKernel.js';
import { channelSums } from './channelSums.js';
import { simdKernels } from './simd/module.js';

type ReduceArgs = { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: { axis: number | number[]; keepDims: boolean } };

/** How many leading axes `axis` names, when it names exactly the first k < rank axes; undefined otherwise. */
export function leadingAxes(axis: number | number[], rank: number): number | undefined {
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= rank) return undefined;
  return axes.every((a, i) => a === i) ? axes.length : undefined;
}

/**
 * Column sums of a [rows, inner] row-major block, in float64. Eight rows per pass over the accumulators: one
 * row at a time spent most of its time loading and storing them (measured 2.5–3× slower on [131072, 16]).
 */
export function accumulateRows(values: Float32Array, rows: number, inner: number): Float64Array {
  const acc = new Float64Array(inner);
  let r = 0;
  let base = 0;
  for (; r + 8 <= rows; r += 8, base += 8 * inner) {
    for (let c = 0, k = base; c < inner; c++, k++) {
      const a = (values[k] as number) + (values[k + inner] as number) + ((values[k + 2 * inner] as number) + (values[k + 3 * inner] as number));
      const b = (values[k + 4 * inner] as number) + (values[k + 5 * inner] as number) + ((values[k + 6 * inner] as number) + (values[k + 7 * inner] as number));
      acc[c] = (acc[c] as number) + (a + b);
    }
  }
  for (; r < rows; r++, base += inner) {
    for (let c = 0; c < inner; c++) acc[c] = (acc[c] as number) + (values[base + c] as number);
  }
  return acc;
}

function reduceLeading(kind: 'sum' | 'mean', original: tf.KernelFunc) {
  return (args: ReduceArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    const k = x.dtype === 'float32' ? leadingAxes(attrs.axis, x.shape.length) : undefined;
    if (k === undefined || x.shape.includes(0)) return original(args as never) as TensorInfo;
    const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    const kept = x.shape.slice(k);
    const inner = kept.reduce((a, b) => a * b, 1);
    const out = backend.makeOutput(attrs.keepDims ? [...Array<number>(k).fill(1), ...kept] : kept, 'float32');
    const simd = simdKernels(backend);
    const acc = simd !== undefined ? channelSums(backend, simd, x, undefined, rows, inner) : accumulateRows(backend.typedArrayFromHeap(x) as Float32Array, rows, inner);
    // A view after the last allocation: growing the heap detaches earlier ones.
    const result = backend.typedArrayFromHeap(out) as Float32Array;
    const scale = kind === 'mean' ? 1 / rows : 1;
    for (let c = 0; c < inner; c++) result[c] = (acc[c] as number) * scale;
    return out;
  };
}

export const sumLeadingAxes = (original: tf.KernelFunc) => reduceLeading('sum', original);
export const meanLeadingAxes = (original: tf.KernelFunc) => reduceLeading('mean', original);
