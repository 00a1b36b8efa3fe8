/**
 * BatchMatMul for wasm with explicit transposes.
 *
 * tfjs-backend-wasm hands transposed operands to a slow scalar loop (a 512² matmul
 * with transposeA runs ~30× slower than without). Dense-layer gradients are exactly
 * such products, so we transpose the operand first (a cheap memory pass) and run the
 * fast XNNPACK path on plain operands.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '@tensorflow/tfjs';
import { release, transposeInfo, type TensorInfo } from './callKernel.js';

type BatchMatMulArgs = {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: BackendWasm;
  attrs: { transposeA: boolean; transposeB: boolean };
};

function swapLastTwo(x: TensorInfo): number[] {
  const perm = x.shape.map((_, i) => i);
  const n = perm.length;
  [perm[n - 2], perm[n - 1]] = [perm[n - 1] as number, perm[n - 2] as number];
  return perm;
}

export function batchMatMulWithExplicitTranspose(original: tf.KernelFunc) {
  return (args: BatchMatMulArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    if (!attrs.transposeA && !attrs.transposeB) return original(args as never) as TensorInfo;
    const a = attrs.transposeA ? transposeInfo(backend, inputs.a, swapLastTwo(inputs.a)) : inputs.a;
    const b = attrs.transposeB ? transposeInfo(backend, inputs.b, swapLastTwo(inputs.b)) : inputs.b;
    const out = original({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } } as never) as TensorInfo;
    if (a !== inputs.a) release(backend, a);
    if (b !== inputs.b) release(backend, b);
    return out;
  };
}
