/**
 * The coordinate policy's fused passes for wasm (kernels.wat; see fusedKernels.ts for what each computes). The
 * frozen rule's elementwise work between its products was a dozen tfjs kernels over [n, 32] (the RMS division,
 * the scale inputs' product, the loss term, 2σ(2x) − 1 as four passes) plus a transposing Mean per window; each
 * fused pass reads its inputs once; the last hidden layer and the one-unit output layer are one pass too, so the
 * [n, u] hidden layer is never written out. Without wasm SIMD a scalar loop computes the same numbers (tanhF32).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, release, type TensorInfo } from './callKernel.js';
import { simdKernels } from './simd/module.js';

type Args<I> = { inputs: I; backend: BackendWasm; attrs?: Record<string, unknown> };

function float32(inputs: Record<string, TensorInfo>, kernel: string): void {
  for (const [name, t] of Object.entries(inputs)) {
    if (t.dtype !== 'float32') throw new Error(`${kernel}: input '${name}' must be float32, got ${t.dtype}`);
  }
}

function expectShape(kernel: string, name: string, t: TensorInfo, shape: number[]): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${kernel}: input '${name}' must have shape [${shape}], got [${t.shape}]`);
  }
}

const f = Math.fround;

// kernels.wat's $tanh, one float at a time: the same float32 constants and the same rounded operations in the same
// order, so the scalar fallback gives the SIMD pass's numbers bit for bit (an engine without SIMD, or a shared memory
// the SIMD module cannot import, computes what the others do).
const P = [-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-8, 1.48572235717979e-5, 6.37261928875436e-4, 4.89352455891786e-3].map(f);
const Q = [1.19825839466702e-6, 1.18534705686654e-4, 2.268434632439e-3, 4.89352518554385e-3].map(f);
const SMALL = f(0.0004);
export function tanhF32(x: number): number {
  const clamped = 9 < x ? 9 : x; // f32x4.pmin(x, 9), then pmax(·, −9): NaN passes through
  const c = clamped < -9 ? -9 : clamped;
  const x2 = f(c * c);
  let p = f(f((P[0] as number) * x2) + (P[1] as number));
  for (let k = 2; k < P.length; k++) p = f(f(p * x2) + (P[k] as number));
  let q = f(f((Q[0] as number) * x2) + (Q[1] as number));
  for (let k = 2; k < Q.length; k++) q = f(f(q * x2) + (Q[k] as number));
  return Math.abs(x) < SMALL ? x : f(f(p * c) / q);
}
const view = (backend: BackendWasm, t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;

export function policyWindowWasm({ inputs, backend }: Args<Record<string, TensorInfo>>): TensorInfo[] {
  const columns = Object.keys(inputs).map((_, k) => inputs[String(k)]);
  if (columns.length === 0 || columns.some((c) => c === undefined)) throw new Error(`policy window: inputs must be the columns 0, 1, …, h − 1, got keys ${Object.keys(inputs).join(', ')}`);
  float32(inputs, 'policy window');
  const first = columns[0]!;
  if (first.shape.length !== 1) throw new Error(`policy window: input '0' must be [n], got [${first.shape}]`);
  const [h, n] = [columns.length, first.shape[0]!];
  columns.forEach((c, k) => expectShape('policy window', String(k), c!, [n]));
  const rows = backend.makeOutput([n, h], 'float32');
  const rms = backend.makeOutput([n], 'float32');
  const simd = simdKernels(backend);
  if (simd !== undefined) {
    // The columns' byte offsets, as a table in the module's memory.
    const table = backend.makeOutput([h], 'int32');
    (backend.typedArrayFromHeap(table) as Int32Array).set(columns.map((c) => heapOffset(backend, c!)));
    simd.windowRows(heapOffset(backend, table), h, n, heapOffset(backend, rows), heapOffset(backend, rms));
    release(backend, table);
    return [rows, rms];
  }
  // Views after the last allocation: growing the heap detaches earlier ones.
  policyWindowScalar(columns.map((c) => view(backend, c!)), view(backend, rows), view(backend, rms));
  return [rows, rms];
}

/** The pass without SIMD, on plain arrays: h columns of n, `rows` [n, h] row-major, `rms` [n]. */
export function policyWindowScalar(columns: readonly Float32Array[], rows: Float32Array, rms: Float32Array): void {
  const h = columns.length;
  for (let i = 0; i < rms.length; i++) {
    let acc = 0;
    for (let k = 0; k < h; k++) {
      const v = (columns[k] as Float32Array)[i] as number;
      rows[i * h + k] = v;
      acc = f(acc + f(v * v));
    }
    rms[i] = f(Math.sqrt(f(acc / h)));
  }
}

type FirstLayerInputs = { productG: TensorInfo; productS: TensorInfo; rmsG: TensorInfo; rmsS: TensorInfo; logG: TensorInfo; logS: TensorInfo; scaleWeights: TensorInfo; term: TensorInfo };

export function policyFirstLayerWasm({ inputs, backend, attrs }: Args<FirstLayerInputs>): TensorInfo {
  const kernel = 'policy first layer';
  float32(inputs, kernel);
  const { productG, productS, rmsG, rmsS, logG, logS, scaleWeights, term } = inputs;
  if (productG.shape.length !== 2) throw new Error(`${kernel}: input 'productG' must be [n, units], got [${productG.shape}]`);
  const [n, u] = productG.shape as [number, number];
  expectShape(kernel, 'productS', productS, [n, u]);
  for (const [name, t] of Object.entries({ rmsG, rmsS, logG, logS })) expectShape(kernel, name, t, [n]);
  expectShape(kernel, 'scaleWeights', scaleWeights, [2, u]);
  expectShape(kernel, 'term', term, [1, u]);
  const tiny = Math.fround(Number(attrs?.['tiny'] ?? 0));
  const out = backend.makeOutput([n, u], 'float32');
  const simd = simdKernels(backend);
  if (simd !== undefined) {
    const a = (t: TensorInfo) => heapOffset(backend, t);
    simd.policyFirstLayer(a(productG), a(productS), a(rmsG), a(rmsS), a(logG), a(logS), a(scaleWeights), a(term), a(out), n, u, tiny);
    return out;
  }
  // Views after the last allocation: growing the heap detaches earlier ones.
  const [pG, pS, rG, rS, lG, lS, w, t, o] = [productG, productS, rmsG, rmsS, logG, logS, scaleWeights, term, out].map((x) => view(backend, x)) as [
    Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array,
  ];
  policyFirstLayerScalar({ pG, pS, rG, rS, lG, lS, w, t }, tiny, o);
  return out;
}

/** The pass without SIMD, on plain arrays (shapes as the kernel's inputs; `out` [n, u]). */
export function policyFirstLayerScalar(
  { pG, pS, rG, rS, lG, lS, w, t }: Record<'pG' | 'pS' | 'rG' | 'rS' | 'lG' | 'lS' | 'w' | 't', Float32Array>,
  tiny: number,
  out: Float32Array,
): void {
  const u = t.length;
  for (let i = 0; i < rG.length; i++) {
    for (let j = 0; j < u; j++) {
      const k = i * u + j;
      // Rounded to float32 after every operation, in the SIMD pass's order (the sum can cancel).
      const normalised = f(f((pG[k] as number) / f((rG[i] as number) + tiny)) + f((pS[k] as number) / f((rS[i] as number) + tiny)));
      const scales = f(f((lG[i] as number) * (w[j] as number)) + f((lS[i] as number) * (w[u + j] as number)));
      out[k] = tanhF32(f(f(normalised + (t[j] as number)) + scales));
    }
  }
}

export function biasTanhWasm({ inputs, backend }: Args<{ x: TensorInfo; bias: TensorInfo }>): TensorInfo {
  float32(inputs, 'bias + tanh');
  const { x, bias } = inputs;
  if (x.shape.length !== 2) throw new Error(`bias + tanh: input 'x' must be [n, units], got [${x.shape}]`);
  const [n, u] = x.shape as [number, number];
  expectShape('bias + tanh', 'bias', bias, [u]);
  const out = backend.makeOutput([n, u], 'float32');
  const simd = simdKernels(backend);
  if (simd !== undefined) {
    simd.biasTanh(heapOffset(backend, x), heapOffset(backend, bias), heapOffset(backend, out), n, u);
    return out;
  }
  biasTanhScalar(view(backend, x), view(backend, bias), view(backend, out));
  return out;
}

/** The pass without SIMD, on plain arrays: `x` and `out` [n, u] row-major, `bias` [u]. */
export function biasTanhScalar(x: Float32Array, bias: Float32Array, out: Float32Array): void {
  const u = bias.length;
  for (let k = 0; k < x.length; k++) out[k] = tanhF32(f((x[k] as number) + (bias[k % u] as number)));
}

type BiasTanhDotInputs = { x: TensorInfo; bias: TensorInfo; weights: TensorInfo; outBias: TensorInfo };

export function biasTanhDotWasm({ inputs, backend }: Args<BiasTanhDotInputs>): TensorInfo {
  const kernel = 'bias + tanh + output';
  float32(inputs, kernel);
  const { x, bias, weights, outBias } = inputs;
  if (x.shape.length !== 2) throw new Error(`${kernel}: input 'x' must be [n, units], got [${x.shape}]`);
  const [n, u] = x.shape as [number, number];
  expectShape(kernel, 'bias', bias, [u]);
  expectShape(kernel, 'weights', weights, [u, 1]);
  expectShape(kernel, 'outBias', outBias, [1]);
  const out = backend.makeOutput([n, 1], 'float32');
  const simd = simdKernels(backend);
  if (simd !== undefined) {
    const a = (t: TensorInfo) => heapOffset(backend, t);
    simd.biasTanhDot(a(x), a(bias), a(weights), a(outBias), a(out), n, u);
    return out;
  }
  const [xs, b, w, bOut, o] = [x, bias, weights, outBias, out].map((t) => view(backend, t)) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  biasTanhDotScalar(xs, b, w, bOut[0] as number, o);
  return out;
}

/** The pass without SIMD, on plain arrays: `x` [n, u] row-major, `bias` and `w` [u], `out` [n]; the sum in j's order. */
export function biasTanhDotScalar(x: Float32Array, bias: Float32Array, w: Float32Array, outBias: number, out: Float32Array): void {
  const u = bias.length;
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let j = 0; j < u; j++) s = f(s + f(tanhF32(f((x[i * u + j] as number) + (bias[j] as number))) * (w[j] as number)));
    out[i] = f(s + outBias);
  }
}
