/**
 * Tanh for wasm as 2σ(2x) − 1 on XNNPACK's vectorised sigmoid.
 *
 * tfjs-backend-wasm's Tanh is a scalar loop: on [101770, 20] it took 146 ms where Sigmoid took 8–20 ms (the
 * LSTM optimizer calls it four times per update). Near 0, 2σ(2x) − 1 cancels (σ ≈ ½ keeps only ~7 significant
 * bits of tanh(10⁻³)), so there tanh(x) = x − x³/3 + 2x⁵/15, exact to float32 for |x| < 2⁻⁵.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '@tensorflow/tfjs';
import { callWasmKernel, heapOffset, release, type TensorInfo } from './callKernel.js';
import { simdKernels } from './simd/module.js';

/** Below this |x| the series is used (its first omitted term, 17x⁷/315, is < 2⁻³⁹ there). */
const SERIES_BELOW = 2 ** -5;

export function tanhViaSigmoid(original: tf.KernelFunc) {
  return (args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs?: tf.NamedAttrMap }): TensorInfo => {
    const { inputs, backend } = args;
    const { x } = inputs;
    if (x.dtype !== 'float32') return original(args as never) as TensorInfo;
    // 2x with the backend's vectorised Multiply: a plain loop over the heap measured 2–3× slower than it.
    const two = backend.makeOutput([], 'float32');
    (backend.typedArrayFromHeap(two) as Float32Array)[0] = 2;
    const doubled = callWasmKernel(backend, 'Multiply', { a: x, b: two });
    release(backend, two);
    const out = callWasmKernel(backend, 'Sigmoid', { x: doubled });
    release(backend, doubled);
    // The fix-up as one SIMD pass (kernels.wat's tanhFromSigmoid, the same operations as the loop below): the loop
    // took about as long as the Multiply and the Sigmoid together on the LSTM optimizer's [101770, 20] gates.
    const simd = simdKernels(backend);
    if (simd !== undefined) {
      const n = out.shape.reduce((p, d) => p * d, 1);
      if (n > 0) simd.tanhFromSigmoid(heapOffset(backend, x), heapOffset(backend, out), n);
      return out;
    }
    // Views after the last allocation: growing the heap detaches earlier ones.
    tanhFromSigmoidLoop(backend.typedArrayFromHeap(x) as Float32Array, backend.typedArrayFromHeap(out) as Float32Array);
    return out;
  };
}

/** y ← tanh(x) from y = σ(2x), element by element: where wasm SIMD is missing, and the definition the SIMD pass matches. */
export function tanhFromSigmoidLoop(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < y.length; i++) {
    const v = x[i] as number;
    if (Math.abs(v) < SERIES_BELOW) {
      const v2 = v * v;
      y[i] = v * (1 + v2 * (-1 / 3 + v2 * (2 / 15)));
    } else y[i] = 2 * (y[i] as number) - 1;
  }
}
