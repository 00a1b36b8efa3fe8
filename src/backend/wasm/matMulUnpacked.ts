/**
 * A plain product a [m, k] · b [k, n] with few rows (or a short k) in kernels.wat's gemmAccumulate, which reads b
 * where it lies; and a · bᵀ with few rows in productTransposedB, which reads b where it lies too.
 *
 * Why: XNNPACK packs its right-hand operand into its own layout on every new buffer (tfjs-backend-wasm keeps the
 * packed copy only while that buffer lives), ~5 ns a float here. A dense layer's forward product x·W gets a new W
 * every training step, so for a batch of rows the packing dominates: the MNIST CNN's [50, 3136] · [3136, 512]
 * took 20–25 ms through XNNPACK and 7–9 ms here. Above a few hundred rows the packing is amortised and a packed
 * copy that is reused (fixed weights) makes XNNPACK the faster one, so larger products stay with it.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, type TensorInfo } from './callKernel.js';
import { simdKernels } from './simd/module.js';

/** Rows up to which the unpacked product runs (measured faster than XNNPACK with a fresh right operand up to 2048). */
export const UNPACKED_MAX_ROWS = 256;
/**
 * A weight gradient xᵀ·dy (`fresh`: both operands new every call) with a reduction this short runs unpacked
 * whatever the rows: XNNPACK's tiles pay their set-up every few terms. The MNIST CNN's dense weight gradient,
 * [3136, 50] · [50, 512], took 4.7 ms through XNNPACK (the transpose of x included) and 3.6–3.9 ms here. Products
 * with a fixed right operand (the learned optimizers' [n, 20] · [20, 80]) keep XNNPACK, which reuses its packing.
 */
export const UNPACKED_ANY_ROWS_MAX_K = 64;
/** k taken this many at a time, as in conv2dFilterByProduct.ts. */
const K_BLOCK = 512;

/**
 * a [1?, m, k] · b [1?, k, n] as [1?, m, n], or undefined where this path does not apply (n not a multiple of 8, many
 * rows, no SIMD). `fresh`: the product is a weight gradient xᵀ·dy (see UNPACKED_ANY_ROWS_MAX_K).
 */
export function productWithoutPacking(backend: BackendWasm, a: TensorInfo, b: TensorInfo, fresh = false): TensorInfo | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  if ((m > UNPACKED_MAX_ROWS && !(fresh && k <= UNPACKED_ANY_ROWS_MAX_K)) || n % 8 !== 0 || m * k * n === 0) return undefined;
  const simd = simdKernels(backend);
  if (simd === undefined) return undefined;
  const out = backend.makeOutput([...a.shape.slice(0, -2), m, n], 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
  simd.gemmAccumulate(heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, out), m, k, n, K_BLOCK);
  return out;
}

/**
 * The smallest b the dot-product path takes: what it saves is moving b (a transpose and XNNPACK's packing), which
 * costs little below this; smaller products keep the older path and its float order (the learned optimizers'
 * meta-training products, test/fixtures/pins.json).
 */
export const TRANSPOSED_B_MIN_ELEMENTS = 2 ** 16;

/**
 * a [1?, m, k] · bᵀ for b [1?, n, k] as [1?, m, n] in kernels.wat's productTransposedB (dot products of rows, b read
 * as it lies), or undefined where this path does not apply (k not a multiple of 4, many rows, a small b, no SIMD).
 *
 * Why: a dense layer's input gradient dy·Wᵀ otherwise transposes dy, runs W·dyᵀ through XNNPACK (packing dyᵀ) and
 * transposes the result back (batchMatMul.ts): 5.0 ms for the MNIST CNN's [50, 512] · [3136, 512]ᵀ, 3.7 ms here.
 */
export function productTransposedB(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 2]!;
  if (m > UNPACKED_MAX_ROWS || n * k < TRANSPOSED_B_MIN_ELEMENTS || k % 4 !== 0 || m * k * n === 0) return undefined;
  const simd = simdKernels(backend);
  if (simd === undefined) return undefined;
  const out = backend.makeOutput([...a.shape.slice(0, -2), m, n], 'float32');
  simd.productTransposedB(heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, out), m, k, n);
  return out;
}
