/**
 * Fused Adam for wasm: m′, v′ and the update of one tensor in one pass (kernels.wat), where rules.adam's tensor
 * ops take thirteen kernels per tensor. On 101,770 parameters that dispatch, not the arithmetic, was the cost. The
 * pass does the same float32 operations in the same order, so it matches the unfused rule bit for bit; without
 * wasm SIMD a scalar loop rounds to float32 after every operation, which gives the same bits.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, type TensorInfo } from './callKernel.js';
import { simdKernels } from './simd/module.js';

export interface FusedAdamAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  c1: number;
  c2: number;
  scale: number;
}

type Args = { inputs: { grad: TensorInfo; mu: TensorInfo; nu: TensorInfo }; backend: BackendWasm; attrs: FusedAdamAttrs };
type InPlaceArgs = { inputs: { param: TensorInfo; grad: TensorInfo; mu: TensorInfo; nu: TensorInfo }; backend: BackendWasm; attrs: FusedAdamAttrs };

const f = Math.fround;

function checkInputs(inputs: Record<string, TensorInfo>, grad: TensorInfo): void {
  for (const [name, t] of Object.entries(inputs)) {
    if (t.dtype !== 'float32') throw new Error(`${name}: fused Adam takes float32 tensors, got ${t.dtype}`);
    if (t.shape.length !== grad.shape.length || t.shape.some((d, i) => d !== grad.shape[i])) {
      throw new Error(`${name}: fused Adam needs grad, mu and nu of one shape, got [${t.shape}] and [${grad.shape}]`);
    }
  }
}

/** The scalars as tfjs would hold them: numbers become float32 tensors before the unfused ops see them. */
function constants(attrs: FusedAdamAttrs): [number, number, number, number, number, number, number, number] {
  return [attrs.beta1, 1 - attrs.beta1, attrs.beta2, 1 - attrs.beta2, attrs.c1, attrs.c2, attrs.epsilon, attrs.scale].map(f) as [
    number, number, number, number, number, number, number, number,
  ];
}

export function fusedAdamWasm(args: Args): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { grad, mu, nu } = inputs;
  checkInputs(inputs, grad);
  const outputs = [0, 1, 2].map(() => backend.makeOutput([...grad.shape], 'float32'));
  const [muOut, nuOut, update] = outputs as [TensorInfo, TensorInfo, TensorInfo];
  const n = grad.shape.reduce((a, b) => a * b, 1);
  const c = constants(attrs);
  const simd = simdKernels(backend);
  if (simd !== undefined) {
    const at = (t: TensorInfo) => heapOffset(backend, t);
    simd.adam(at(grad), at(mu), at(nu), at(muOut), at(nuOut), at(update), n, ...c);
    return outputs;
  }
  // Views after the last allocation: growing the heap detaches earlier ones.
  const [g, m, v, mo, vo, u] = [grad, mu, nu, muOut, nuOut, update].map((t) => backend.typedArrayFromHeap(t) as Float32Array) as [
    Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array,
  ];
  adamScalarPass(g, m, v, mo, vo, u, c);
  return outputs;
}

/**
 * The step with its state in place (FUSED_ADAM_IN_PLACE_KERNEL): one pass reads p, g, m, v, writes m and v over
 * themselves and returns the new parameter, where the fused kernel and the add after it take two passes, four new
 * buffers and three assignments. Writing into m and v is only sound when no other tensor shares their buffers,
 * hence the reference-count check. The parameter gets a new buffer: tfjs-backend-wasm caches XNNPACK operators
 * (a packed copy of a matmul's weights) keyed by the weight's buffer, so a weight overwritten in place would be
 * read stale by the next product.
 */
export function fusedAdamInPlaceWasm(args: InPlaceArgs): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { param, grad, mu, nu } = inputs;
  checkInputs(inputs, grad);
  const written = [mu, nu];
  if (new Set([param, grad, ...written].map((t) => t.dataId)).size !== 4 || written.some((t) => backend.refCount(t.dataId) !== 1)) {
    throw new Error('fused Adam in place: mu and nu must each hold a buffer no other tensor shares (param and grad included)');
  }
  const out = backend.makeOutput([...param.shape], 'float32');
  const n = grad.shape.reduce((a, b) => a * b, 1);
  const c = constants(attrs);
  const simd = simdKernels(backend);
  if (simd !== undefined) {
    const at = (t: TensorInfo) => heapOffset(backend, t);
    simd.adamInPlace(at(param), at(out), at(grad), at(mu), at(nu), n, ...c);
    return [out];
  }
  // Views after the allocation: growing the heap detaches earlier ones.
  const [p, po, g, m, v] = [param, out, grad, mu, nu].map((t) => backend.typedArrayFromHeap(t) as Float32Array) as [
    Float32Array, Float32Array, Float32Array, Float32Array, Float32Array,
  ];
  adamInPlaceScalarPass(p, po, g, m, v, c);
  return [out];
}

/** The pass without SIMD: the scalar pass writing m and v over themselves, then po = p + update rounded. */
export function adamInPlaceScalarPass(
  p: Float32Array, po: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, constants: readonly number[],
): void {
  const update = new Float32Array(g.length);
  adamScalarPass(g, m, v, m, v, update, constants);
  for (let i = 0; i < p.length; i++) po[i] = f((p[i] as number) + (update[i] as number));
}

/** The pass without SIMD: rounding to float32 after every operation gives the float32 operations' results. */
export function adamScalarPass(
  g: Float32Array, m: Float32Array, v: Float32Array, mo: Float32Array, vo: Float32Array, u: Float32Array,
  [b1, k1, b2, k2, c1, c2, eps, scale]: readonly number[],
): void {
  const [B1, K1, B2, K2, C1, C2, E, S] = [b1, k1, b2, k2, c1, c2, eps, scale] as [number, number, number, number, number, number, number, number];
  for (let i = 0; i < g.length; i++) {
    const gi = g[i] as number;
    const mi = f(f((m[i] as number) * B1) + f(gi * K1));
    const vi = f(f((v[i] as number) * B2) + f(f(gi * gi) * K2));
    mo[i] = mi;
    vo[i] = vi;
    u[i] = f(f(mi / C1) / f(f(Math.sqrt(f(vi / C2))) + E)) * S;
  }
}
