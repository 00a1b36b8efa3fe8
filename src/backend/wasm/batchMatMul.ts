/**
 * BatchMatMul for wasm: explicit transposes, and one fast product per batch.
 *
 * tfjs-backend-wasm runs XNNPACK only for a single plain product (batch 1, no transposes); everything else goes
 * to a scalar loop. With transposeA a 512² product ran ~30× slower, and a batch of two [128, 784] × [784, 20]
 * products took 3.7 ms where one took 0.18 ms. Dense-layer gradients are transposed products, and the tasks'
 * rows (one network per run) are batches, so we transpose operands first (a cheap memory pass) and run each
 * batch as its own XNNPACK product; a batch sharing one right-hand operand is a single taller product.
 * Where a transposed product is cheaper the other way round, (Bᵀ·A)ᵀ or (B·Aᵀ)ᵀ is computed instead.
 * A single product of few rows skips XNNPACK's packing of the right-hand operand, and a single large A·Bᵀ (few
 * rows) or Aᵀ·B reads its operands as they lie, with no transposes (matMulUnpacked.ts).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import tf from '#tfjs';
import { release, transposeInfo, type TensorInfo } from './callKernel.js';
import { productTransposedA, productTransposedB, productWithoutPacking } from './matMulUnpacked.js';

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

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);
const sameShape = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((d, i) => d === y[i]);

/** A [1, ...inner] copy of batch `i` of x (x's inner size `inner`). */
function batchOf(backend: BackendWasm, x: TensorInfo, i: number, inner: number[]): TensorInfo {
  const out = backend.makeOutput([1, ...inner], 'float32');
  const n = size(inner);
  // Views after the allocation: growing the heap detaches earlier ones.
  (backend.typedArrayFromHeap(out) as Float32Array).set((backend.typedArrayFromHeap(x) as Float32Array).subarray(i * n, (i + 1) * n));
  return out;
}

/**
 * a [...A, m, k] × b [...B, k, n] without transposes, where A and B are equal or one of them holds a single batch;
 * undefined for other broadcasts (the original kernel handles them).
 */
function perBatch(original: tf.KernelFunc, backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo | undefined {
  const [outerA, outerB] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
  const [batchA, batchB] = [size(outerA), size(outerB)];
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.includes(0) || b.shape.includes(0)) return undefined;
  if (!(sameShape(outerA, outerB) || batchA === 1 || batchB === 1)) return undefined;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const plain = { transposeA: false, transposeB: false };
  const call = (x: TensorInfo, y: TensorInfo) => original({ inputs: { a: x, b: y }, backend, attrs: plain } as never) as TensorInfo;
  if (batchB === 1) {
    // One right-hand operand for every batch: the batches of a stacked are one [batchA·m, k] product.
    const tall = { ...a, shape: [1, batchA * m, k] };
    const product = call(tall, b);
    return { ...product, shape: [...outer, m, n] };
  }
  const out = backend.makeOutput([...outer, m, n], 'float32');
  for (let i = 0; i < batchB; i++) {
    const left = batchA === 1 ? a : batchOf(backend, a, i, [m, k]);
    const right = batchOf(backend, b, i, [k, n]);
    const product = call(left, right);
    (backend.typedArrayFromHeap(out) as Float32Array).set(backend.typedArrayFromHeap(product) as Float32Array, i * m * n);
    release(backend, product, right, ...(left === a ? [] : [left]));
  }
  return out;
}

/**
 * Aᵀ·B as (Bᵀ·A)ᵀ when that moves fewer elements: a dense layer's weight gradient xᵀ·dz transposes the whole
 * input x [n, k] one way (on wasm 0.13 ms for [128, 784]), but only dz and the [k, units] result the other.
 */
function transposedProductIsCheaper(a: TensorInfo, b: TensorInfo): boolean {
  const [k, m] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  return k * n + m * n < (k * m) / 2;
}

/**
 * A·Bᵀ as (B·Aᵀ)ᵀ when that moves fewer elements: XNNPACK packs the right-hand operand on every call (about as
 * costly per element as a transpose), so a dense layer's input gradient dz·Wᵀ transposed and packed all of W
 * ([3136, 512] in the MNIST CNN: 21 ms); as W·dzᵀ only dz [50, 512] and the result move (8 ms, one-off timing).
 */
function productWithBFirstIsCheaper(a: TensorInfo, b: TensorInfo): boolean {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 2]!;
  return m * k + m * n < n * k;
}

export function batchMatMulWithExplicitTranspose(original: tf.KernelFunc) {
  const run = (args: BatchMatMulArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const singleProduct = size(inputs.a.shape.slice(0, -2)) <= 1 && size(inputs.b.shape.slice(0, -2)) <= 1;
    if (singleProduct && attrs.transposeA !== attrs.transposeB) {
      const direct = attrs.transposeB ? productTransposedB(backend, inputs.a, inputs.b) : productTransposedA(backend, inputs.a, inputs.b);
      if (direct !== undefined) return direct;
    }
    const flip =
      (attrs.transposeA && !attrs.transposeB && transposedProductIsCheaper(inputs.a, inputs.b)) ||
      (!attrs.transposeA && attrs.transposeB && productWithBFirstIsCheaper(inputs.a, inputs.b));
    if (flip) {
      const flipped = run({ inputs: { a: inputs.b, b: inputs.a }, backend, attrs });
      const out = transposeInfo(backend, flipped, swapLastTwo(flipped));
      release(backend, flipped);
      return out;
    }
    const a = attrs.transposeA ? transposeInfo(backend, inputs.a, swapLastTwo(inputs.a)) : inputs.a;
    const b = attrs.transposeB ? transposeInfo(backend, inputs.b, swapLastTwo(inputs.b)) : inputs.b;
    const single = size(a.shape.slice(0, -2)) <= 1 && size(b.shape.slice(0, -2)) <= 1;
    const out =
      (single ? productWithoutPacking(backend, a, b) : perBatch(original, backend, a, b)) ??
      (original({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } } as never) as TensorInfo);
    if (a !== inputs.a) release(backend, a);
    if (b !== inputs.b) release(backend, b);
    return out;
  };
  return run;
}
