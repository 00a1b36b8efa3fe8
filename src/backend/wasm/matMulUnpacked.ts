/**
 * A plain product a [m, k] · b [k, n] with few rows in kernels.wat's gemmAccumulate, which reads b where it lies;
 * and large a · bᵀ (few rows) and aᵀ · b products, which read both operands where they lie.
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
/** k taken this many at a time, as in conv2dFilterByProduct.ts. */
const K_BLOCK = 512;

/** a [1?, m, k] · b [1?, k, n] as [1?, m, n], or undefined where this path does not apply (n not a multiple of 8, many rows, no SIMD). */
export function productWithoutPacking(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  if (m > UNPACKED_MAX_ROWS || n % 8 !== 0 || m * k * n === 0) return undefined;
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

/** The smallest output aᵀ·b the path below takes (as TRANSPOSED_B_MIN_ELEMENTS: smaller products keep their float order). */
export const TRANSPOSED_A_MIN_OUTPUT = 2 ** 16;

/**
 * aᵀ · b for a [1?, k, m] and b [1?, k, n] as [1?, m, n] in kernels.wat's gemmTransposedA, which reads both as they
 * lie and stores each tile once, or undefined where this path does not apply (m not a multiple of 4, n not of 8, an
 * output under TRANSPOSED_A_MIN_OUTPUT, no SIMD).
 *
 * Why: a dense layer's weight gradient xᵀ·dy otherwise transposes x, zeroes the output and adds every tile into it
 * (the MNIST CNN's [50, 3136]ᵀ · [50, 512]: 4.5 ms through XNNPACK, 4.0 ms transposed and unpacked, 3.7 ms here;
 * CPU time of tf.matMul alone).
 */
export function productTransposedA(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const [k, m] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  if (m % 4 !== 0 || n % 8 !== 0 || m * n < TRANSPOSED_A_MIN_OUTPUT || k === 0) return undefined;
  const simd = simdKernels(backend);
  if (simd === undefined) return undefined;
  const out = backend.makeOutput([...a.shape.slice(0, -2), m, n], 'float32');
  simd.gemmTransposedA(heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, out), m, k, n, m * 4, 1, 0, 0, 0);
  return out;
}
