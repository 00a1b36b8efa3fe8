/**
 * Concat on wasm along an inner axis whose pieces are narrow: one element loop over the output.
 *
 * Why: tfjs-backend-wasm's Concat copies each input's run of every outer row with `subarray` and `set`, two calls
 * and a view object per run. For the LSTM optimizer's preprocessed gradient, [n, 1] and [n, 1] into [n, 2] with
 * n = 101,770, that is 203,540 runs of one float: ~4.4 ms where the copy itself is a fraction of a millisecond.
 * Copies go through 32-bit integer views, so every bit pattern (NaN payloads included) arrives unchanged.
 */
import tf from '#tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from './callKernel.js';

/** Runs up to this many elements are copied element by element; wider ones are left to tfjs's `set` per run. */
const NARROW_RUN = 16;

type Args = { inputs: TensorInfo[]; backend: BackendWasm; attrs: { axis: number | number[] } };

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

export function concatNarrowRuns(original: tf.KernelFunc) {
  return (args: Args): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const pieces = inputs.filter((t) => size(t.shape) > 0);
    const first = pieces[0];
    const fourBytes = first !== undefined && pieces.every((t) => t.dtype === first.dtype) && (first.dtype === 'float32' || first.dtype === 'int32');
    if (!fourBytes || pieces.length < 2) return original(args as never) as TensorInfo;
    const axis = tf.util.parseAxisParam(attrs.axis, first.shape)[0]!;
    const widths = pieces.map((t) => size(t.shape.slice(axis)));
    if (axis === 0 || Math.max(...widths) > NARROW_RUN) return original(args as never) as TensorInfo;
    tf.backend_util.assertParamsConsistent(inputs.map((t) => t.shape), axis);
    const rows = size(first.shape.slice(0, axis));
    const out = backend.makeOutput(tf.backend_util.computeOutShape(inputs.map((t) => t.shape), axis), first.dtype);
    // Views after the output's allocation: growing the heap detaches earlier ones.
    const words = (t: TensorInfo) => {
      const view = backend.typedArrayFromHeap(t);
      return new Int32Array(view.buffer, view.byteOffset, view.length);
    };
    const to = words(out);
    const from = pieces.map(words);
    let o = 0;
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < from.length; k++) {
        const w = widths[k]!;
        const src = from[k]!;
        for (let j = r * w, end = j + w; j < end; j++) to[o++] = src[j]!;
      }
    }
    return out;
  };
}
