/**
 * ReLU's gradient for wasm in one pass (kernels.wat): tfjs takes Step, Cast and Multiply, two passes over the
 * activations and a temporary of their size (Cast shares its buffer, identity.ts). Same float32 product, so the
 * same numbers; without wasm SIMD a scalar loop computes it.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, type TensorInfo } from './callKernel.js';
import { simdKernels } from './simd/module.js';

type Args = { inputs: { dy: TensorInfo; x: TensorInfo }; backend: BackendWasm };

export function reluGradWasm({ inputs, backend }: Args): TensorInfo {
  const { dy, x } = inputs;
  for (const [name, t] of Object.entries(inputs)) {
    if (t.dtype !== 'float32') throw new Error(`relu gradient: input '${name}' must be float32, got ${t.dtype}`);
  }
  if (dy.shape.length !== x.shape.length || dy.shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(`relu gradient: inputs 'dy' and 'x' must have one shape, got [${dy.shape}] and [${x.shape}]`);
  }
  const out = backend.makeOutput([...x.shape], 'float32');
  const simd = simdKernels(backend);
  if (simd !== undefined) {
    const at = (t: TensorInfo) => heapOffset(backend, t);
    simd.reluGrad(at(dy), at(x), at(out), x.shape.reduce((a, b) => a * b, 1));
    return out;
  }
  // Views after the allocation: growing the heap detaches earlier ones.
  reluGradScalar(backend.typedArrayFromHeap(dy) as Float32Array, backend.typedArrayFromHeap(x) as Float32Array, backend.typedArrayFromHeap(out) as Float32Array);
  return out;
}

/** The pass without SIMD: out = dy·step(x) (step: 1 where x > 0, NaN where x is NaN, else 0). */
export function reluGradScalar(dy: Float32Array, x: Float32Array, out: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = dy[i]! * (v > 0 ? 1 : v !== v ? NaN : 0);
  }
}
