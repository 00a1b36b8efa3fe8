/**
 * Batch norm and its gradient for wasm as two passes each (kernels.wat), where src/tasks/batchNorm.ts's tensor ops
 * took about a dozen kernels per layer and direction (moments, centring, squares, products, each a full pass over
 * the activations, plus their allocations): a ResNet-8 step on CIFAR spent ~230 ms there.
 *
 * Forward: per-channel Σx and Σx² in float64 (one sweep), then y = (x − m)·a + b. Backward: Σx, Σx², Σdy and
 * Σdy·x in float64 (one sweep over x and dy), then dx = dy·a + (x − m)·b + r. Float64 holds the product of two
 * float32 exactly, so the variance and Σdy·(x − mean) taken from raw sums keep well over float32's precision.
 * Without wasm SIMD (or with the threaded build's shared memory) scalar loops compute the same formulas.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, release, type TensorInfo } from './callKernel.js';
import { channelSums } from './channelSums.js';
import { simdKernels, type SimdKernels } from './simd/module.js';

const f = Math.fround;
const view = (backend: BackendWasm, t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;

type Args<I> = { inputs: I; backend: BackendWasm; attrs: { epsilon: number } };

/** rows and channels of x [batch, h, w, c], after checking every input against it. */
function layout(kernel: string, x: TensorInfo, others: Record<string, TensorInfo>, channelInputs: string[]): { rows: number; c: number } {
  for (const [name, t] of Object.entries({ x, ...others })) {
    if (t.dtype !== 'float32') throw new Error(`${kernel}: input '${name}' must be float32, got ${t.dtype}`);
  }
  if (x.shape.length !== 4) throw new Error(`${kernel}: input 'x' must be [batch, h, w, c], got [${x.shape}]`);
  const c = x.shape[3]!;
  const rows = x.shape[0]! * x.shape[1]! * x.shape[2]!;
  if (rows === 0 || c === 0) throw new Error(`${kernel}: input 'x' is empty ([${x.shape}])`);
  for (const [name, t] of Object.entries(others)) {
    const want = channelInputs.includes(name) ? [c] : x.shape;
    if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
      throw new Error(`${kernel}: input '${name}' must have shape [${want}], got [${t.shape}]`);
    }
  }
  return { rows, c };
}

/** out = (x − m)·a + b, or with dy: out = (dy·a + (x − m)·b) + r; per-channel constants [c], float32 operations in kernels.wat's order. */
export function channelAffineScalar(x: Float32Array, dy: Float32Array | undefined, [m, a, b, r]: readonly Float32Array[], out: Float32Array): void {
  const [M, A, B] = [m!, a!, b!];
  const c = M.length;
  if (dy === undefined) {
    for (let base = 0; base < x.length; base += c) {
      for (let k = 0, i = base; k < c; k++, i++) out[i] = f(f(f(x[i]! - M[k]!) * A[k]!) + B[k]!);
    }
    return;
  }
  const R = r!;
  for (let base = 0; base < x.length; base += c) {
    for (let k = 0, i = base; k < c; k++, i++) out[i] = f(f(f(dy[i]! * A[k]!) + f(f(x[i]! - M[k]!) * B[k]!)) + R[k]!);
  }
}

function channelAffine(
  backend: BackendWasm, simd: SimdKernels | undefined, x: TensorInfo, dy: TensorInfo | undefined, constants: Float32Array[], rows: number, out: TensorInfo,
): void {
  const c = constants[0]!.length;
  if (simd !== undefined) {
    const table = backend.makeOutput([constants.length * c], 'float32');
    const values = view(backend, table);
    constants.forEach((k, i) => values.set(k, i * c));
    const [m, a, b, r] = constants.map((_, i) => heapOffset(backend, table) + 4 * i * c) as [number, number, number, number];
    if (dy === undefined) simd.channelAffine(heapOffset(backend, x), rows, c, m, a, b, heapOffset(backend, out));
    else simd.channelAffineWithGrad(heapOffset(backend, x), heapOffset(backend, dy), rows, c, m, a, b, r, heapOffset(backend, out));
    release(backend, table);
    return;
  }
  // Views after the last allocation: growing the heap detaches earlier ones.
  channelAffineScalar(view(backend, x), dy === undefined ? undefined : view(backend, dy), constants, view(backend, out));
}

/** Mean and 1/√(variance + ε) of each channel from its float64 sums. */
function statistics(sums: Float64Array, c: number, rows: number, epsilon: number): { mean: Float64Array; inverse: Float64Array } {
  const mean = new Float64Array(c);
  const inverse = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    const mu = (sums[k] as number) / rows;
    mean[k] = mu;
    inverse[k] = 1 / Math.sqrt(Math.max((sums[c + k] as number) / rows - mu * mu, 0) + epsilon);
  }
  return { mean, inverse };
}

type ForwardArgs = Args<{ x: TensorInfo; scale: TensorInfo; shift: TensorInfo }>;
type BackwardArgs = Args<{ x: TensorInfo; scale: TensorInfo; dy: TensorInfo }>;

export const batchNormWasm = (args: ForwardArgs): TensorInfo => batchNormPasses(args, simdKernels(args.backend));
export const batchNormGradWasm = (args: BackwardArgs): TensorInfo[] => batchNormGradPasses(args, simdKernels(args.backend));

/** The forward kernel with the SIMD passes given, or the scalar ones where `simd` is undefined. */
export function batchNormPasses({ inputs, backend, attrs }: ForwardArgs, simd: SimdKernels | undefined): TensorInfo {
  const { x, scale, shift } = inputs;
  const { rows, c } = layout('batch norm', x, { scale, shift }, ['scale', 'shift']);
  const { mean, inverse } = statistics(channelSums(backend, simd, x, undefined, rows, c), c, rows, attrs.epsilon);
  const gamma = view(backend, scale);
  const m = Float32Array.from(mean);
  const a = Float32Array.from(gamma, (g, k) => g * (inverse[k] as number));
  // (x − μ)·a + β = (x − m)·a + (β + (m − μ)·a): the shift takes up the mean's rounding to float32, which would
  // otherwise offset a channel whose mean is large against its spread (1e-5 of y at mean 1000, spread 1–4).
  const b = Float32Array.from(view(backend, shift), (beta, k) => beta + ((m[k] as number) - (mean[k] as number)) * (a[k] as number));
  const out = backend.makeOutput([...x.shape], 'float32');
  channelAffine(backend, simd, x, undefined, [m, a, b], rows, out);
  return out;
}

/**
 * dx = γs·(dy − Σdy/N − (x − μ)·s²·Σdy(x − μ)/N), dγ = s·Σdy(x − μ), dβ = Σdy (s = 1/√(variance + ε), N rows).
 * dx sums to zero per channel (a shift before batch norm changes nothing): r absorbs what the rounded constants
 * and the rounded mean would add to that sum, which keeps float rounding out of the gradient of a bias before the
 * norm (Adam would turn it into steps of ±lr), as the tensor ops' centring of dx does.
 */
export function batchNormGradPasses({ inputs, backend, attrs }: BackwardArgs, simd: SimdKernels | undefined): TensorInfo[] {
  const { x, scale, dy } = inputs;
  const { rows, c } = layout('batch norm gradient', x, { scale, dy }, ['scale']);
  const sums = channelSums(backend, simd, x, dy, rows, c);
  const { mean, inverse } = statistics(sums, c, rows, attrs.epsilon);
  const gamma = view(backend, scale);
  const [m, a, b, r] = [0, 1, 2, 3].map(() => new Float32Array(c)) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const dScale = new Float32Array(c);
  const dShift = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    const [mu, s, sumDy] = [mean[k] as number, inverse[k] as number, sums[2 * c + k] as number];
    const sumDyD = (sums[3 * c + k] as number) - mu * sumDy;
    const gs = (gamma[k] as number) * s;
    m[k] = mu;
    a[k] = gs;
    b[k] = (-gs * s * s * sumDyD) / rows;
    // What dx's channel would sum to with the rounded a, b, m: Σ(x − m) = Σx − N·m, up to each element's rounding.
    const r0 = (-gs * sumDy) / rows;
    const drift = (a[k] as number) * sumDy + (b[k] as number) * ((sums[k] as number) - rows * (m[k] as number)) + rows * r0;
    r[k] = r0 - drift / rows;
    dScale[k] = sumDyD * s;
    dShift[k] = sumDy;
  }
  const dx = backend.makeOutput([...x.shape], 'float32');
  channelAffine(backend, simd, x, dy, [m, a, b, r], rows, dx);
  return [dx, backend.makeOutput([c], 'float32', undefined, dScale), backend.makeOutput([c], 'float32', undefined, dShift)];
}
