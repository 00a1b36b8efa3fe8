/**
 * Slice for wasm that copies only the slice.
 *
 * tfjs-backend-wasm's Slice reads its whole input out of the heap (readSync makes a copy) before copying the slice
 * out of that copy: slicing a flat parameter vector into a network's weights copied the vector once per weight
 * (30 slices of ResNet-8's 78,058 parameters took ~4 ms a step). A contiguous slice of a numeric tensor is one
 * copy from a view of the heap; other slices keep the original kernel.
 */
import tf from '#tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasmKernel, type TensorInfo } from './callKernel.js';

type SliceArgs = { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: { begin: number | number[]; size?: number | number[] } };

export function sliceFromHeapView(original: tf.KernelFunc) {
  return (args: SliceArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    if (x.dtype === 'string') return original(args as never) as TensorInfo;
    const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin, attrs.size) as [number[], number[]];
    if (!tf.slice_util.isSliceContinous(x.shape, begin, size)) return original(args as never) as TensorInfo;
    const offset = tf.slice_util.computeFlatOffset(begin, tf.util.computeStrides(x.shape));
    const out = backend.makeOutput(size, x.dtype);
    // Views after the allocation: growing the heap detaches earlier ones.
    const from = backend.typedArrayFromHeap(x);
    backend.typedArrayFromHeap(out).set(from.subarray(offset, offset + tf.util.sizeFromShape(size)));
    return out;
  };
}

type SplitArgs = { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: { numOrSizeSplits: number | number[]; axis: number | number[] } };

/**
 * SplitV for wasm as one Slice per piece through the registered Slice kernel (the one above): tfjs-backend-wasm's
 * SplitV calls its own slice, which reads the whole input out of the heap once per piece (splitting the coordinate
 * policy's [101,770] update into its 4 parameters took ~5 ms of a ~38 ms update).
 */
export function splitVThroughSlice(original: tf.KernelFunc) {
  return (args: SplitArgs): TensorInfo[] => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    if (x.dtype === 'string') return original(args as never) as TensorInfo[];
    const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x, attrs.numOrSizeSplits, axis);
    const begin = x.shape.map(() => 0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[axis] = s;
      const piece = callWasmKernel(backend, 'Slice', { x }, { begin: [...begin], size });
      begin[axis] += s;
      return piece;
    });
  };
}
