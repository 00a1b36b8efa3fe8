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
import { callWasmKernel, heapOffset, release, type TensorInfo } from './callKernel.js';
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

/**
 * ADD_PAIR_ROW_KERNEL (fusedKernels.ts): (x + y) + v for matrices x, y of one shape and v along their last axis, in
 * one pass (kernels.wat's addPairRowVector) — an LSTM gate's two products and its bias, which were an Add of equal
 * shapes and then a bias Add, each writing [n, units]. Without wasm SIMD: those two kernels.
 */
export function addPairWithRowVectorWasm({ inputs, backend }: { inputs: { x: TensorInfo; y: TensorInfo; v: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const { x, y, v } = inputs;
  for (const [name, t] of Object.entries(inputs)) {
    if (t.dtype !== 'float32') throw new Error(`add pair and row vector: input '${name}' must be float32, got ${t.dtype}`);
  }
  const c = x.shape[x.shape.length - 1];
  if (x.shape.length < 2 || y.shape.length !== x.shape.length || y.shape.some((d, k) => d !== x.shape[k]) || v.shape.length !== 1 || v.shape[0] !== c) {
    throw new Error(`add pair and row vector: x [${x.shape}] and y [${y.shape}] must be one matrix shape and v [${v.shape}] as long as their last axis`);
  }
  const simd = simdKernels(backend);
  if (simd === undefined) {
    const sum = callWasmKernel(backend, 'Add', { a: x, b: y });
    const out = callWasmKernel(backend, 'Add', { a: sum, b: v });
    release(backend, sum);
    return out;
  }
  const size = x.shape.reduce((p, d) => p * d, 1);
  const out = backend.makeOutput([...x.shape], 'float32');
  if (size > 0) simd.addPairRowVector(heapOffset(backend, x), heapOffset(backend, y), heapOffset(backend, v), heapOffset(backend, out), size / c!, c!);
  return out;
}
