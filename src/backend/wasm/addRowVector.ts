/**
 * Add on wasm where one operand is a vector along the other's last axis (a bias: conv2d and dense layers add one
 * to every pixel or row), as one SIMD pass (kernels.wat's addRowVector); every other Add is tfjs's kernel.
 *
 * Why: tfjs-backend-wasm's Add broadcasts with a general index loop, ~3× the time of an Add of equal shapes: the
 * MNIST CNN's first bias, [50, 28, 28, 32] + [32], 0.72 ms against 0.22 ms (kernel alone, CPU time). Float addition
 * is commutative, so the vector may be either operand.
 */
import tf from '#tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, type TensorInfo } from './callKernel.js';
import { simdKernels } from './simd/module.js';

type Args = { inputs: { a: TensorInfo; b: TensorInfo }; backend: BackendWasm; attrs?: tf.NamedAttrMap };

/** [matrix, vector] where one operand is a vector as long as the other's last axis (rank 2 or more), else undefined. */
function matrixAndRowVector(a: TensorInfo, b: TensorInfo): [TensorInfo, TensorInfo] | undefined {
  const isRowOf = (v: TensorInfo, m: TensorInfo) => v.shape.length === 1 && m.shape.length >= 2 && m.shape[m.shape.length - 1] === v.shape[0];
  if (isRowOf(b, a)) return [a, b];
  if (isRowOf(a, b)) return [b, a];
  return undefined;
}

export function addWithRowVector(original: tf.KernelFunc) {
  return (args: Args): TensorInfo => {
    const { inputs, backend } = args;
    const { a, b } = inputs;
    const pair = a.dtype === 'float32' && b.dtype === 'float32' ? matrixAndRowVector(a, b) : undefined;
    const simd = pair === undefined ? undefined : simdKernels(backend);
    if (pair === undefined || simd === undefined) return original(args as never) as TensorInfo;
    const [matrix, vector] = pair;
    const c = vector.shape[0]!;
    const size = matrix.shape.reduce((p, d) => p * d, 1);
    const out = backend.makeOutput([...matrix.shape], 'float32');
    if (size > 0) simd.addRowVector(heapOffset(backend, matrix), heapOffset(backend, vector), heapOffset(backend, out), size / c, c);
    return out;
  };
}
