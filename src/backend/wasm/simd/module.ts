/**
 * AlphaOpt's SIMD kernels (kernels.wat), instantiated on the wasm backend's own memory so they read and write
 * tensors in place. One instance per backend module (a restarted backend brings a fresh memory).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { SIMD_KERNELS_BASE64 } from './kernels.wasm.js';

export interface SimdKernels {
  adam(
    g: number, m: number, v: number, mOut: number, vOut: number, u: number, n: number,
    beta1: number, k1: number, beta2: number, k2: number, c1: number, c2: number, epsilon: number, scale: number,
  ): void;
  /** policyKernels.ts: the coordinate policy's passes (byte offsets into the backend's memory). */
  windowRows(table: number, h: number, n: number, out: number, rms: number): void;
  policyFirstLayer(pG: number, pS: number, rG: number, rS: number, lG: number, lS: number, w: number, t: number, out: number, n: number, u: number, tiny: number): void;
  biasTanh(x: number, b: number, out: number, n: number, u: number): void;
  /** batchNormKernels.ts: per-channel float64 sums over x [rows, c] (and dy), added into `sums`; the affine passes. */
  channelSums(x: number, rows: number, c: number, sums: number): void;
  channelSumsWithGrad(x: number, dy: number, rows: number, c: number, sums: number): void;
  channelAffine(x: number, rows: number, c: number, m: number, a: number, b: number, out: number): void;
  channelAffineWithGrad(x: number, dy: number, rows: number, c: number, m: number, a: number, b: number, r: number, out: number): void;
  /** maxPoolGrad.ts: dx (zero on entry) += dy routed to each window's first maximum. */
  maxPoolGrad(
    x: number, dy: number, dx: number, batch: number, inH: number, inW: number, c: number, outH: number, outW: number,
    fH: number, fW: number, sH: number, sW: number, dH: number, dW: number, top: number, left: number,
  ): void;
  /** reluGrad.ts: out = dy·step(x) over n floats. */
  reluGrad(dy: number, x: number, out: number, n: number): void;
  /** conv2dFilterByProduct.ts: n NCHW images' convolution patches as rows [KH·KW·C, n·OH·OW] (byte offsets). */
  im2colRows(
    src: number, dst: number, C: number, H: number, W: number, n: number, OH: number, OW: number, KH: number, KW: number,
    sh: number, sw: number, dh: number, dw: number, top: number, left: number,
  ): void;
  /** n images [P, C] to [C, P] (byte offsets). */
  nhwcToNchw(src: number, dst: number, n: number, P: number, C: number): void;
  /** out[m, n] += a[m, k] · b[k, n], row-major, n a multiple of 8, k taken kc at a time (byte offsets). */
  gemmAccumulate(a: number, b: number, out: number, m: number, k: number, n: number, kc: number): void;
  /** conv2dInputByProduct.ts: adds n images' per-pixel tap rows [n·OH·OW, KH·KW·C] into dx [n, H, W, C] (byte offsets). */
  col2imAdd(
    cols: number, dx: number, C: number, H: number, W: number, n: number, OH: number, OW: number, KH: number, KW: number,
    sh: number, sw: number, dh: number, dw: number, top: number, left: number,
  ): void;
  /** conv2dDirect.ts: y [n, OH, OW, co] of padded xp [n, Hp, Wp, C] and w [KH·KW·C, co] as packColumnBlocks packs it, co a multiple of 8 (byte offsets). */
  convDirect(
    xp: number, w: number, y: number, n: number, Hp: number, Wp: number, C: number, OH: number, OW: number,
    KH: number, KW: number, co: number, sh: number, sw: number,
  ): void;
  /** n images [H, W, C] into zero-padded [Hp, Wp, C], pixel (h, w) at (h + top, w + left) (byte offsets). */
  padImages(src: number, dst: number, n: number, H: number, W: number, C: number, Hp: number, Wp: number, top: number, left: number): void;
  /** conv2dDirect.ts: w [rows, co] (co a multiple of 8) into co/8 contiguous blocks [rows, 8] (byte offsets). */
  packColumnBlocks(w: number, out: number, rows: number, co: number): void;
  /** matMulUnpacked.ts: out [m, n] = a [m, k] · bᵀ for b [n, k], k a multiple of 4 (byte offsets). */
  productTransposedB(a: number, b: number, out: number, m: number, k: number, n: number): void;
  /** maxPoolGrad.ts: dx of windows that neither overlap nor need padding (stride = window), c a multiple of 4; written, not added. */
  maxPoolGradDisjoint(x: number, dy: number, dx: number, batch: number, inH: number, inW: number, c: number, outH: number, outW: number, fH: number, fW: number): void;
  /** conv2dWinograd.ts, matMulUnpacked.ts: out [m, n] (+)= Σ over images of aᵀ·b, a [k, m] with rows lda bytes apart, b [k, n]; m a multiple of 4, n of 8; added to out where accumulate is 1, else stored (byte offsets). */
  gemmTransposedA(a: number, b: number, out: number, m: number, k: number, n: number, lda: number, images: number, aImage: number, bImage: number, accumulate: number): void;
  /** conv2dWinograd.ts: F(4, 5)'s input transform of padded rows [rows, Wp, C] into eight planes [rows, T, C] planeBytes apart (byte offsets). */
  winogradRowsIn(xp: number, u: number, rows: number, Wp: number, C: number, T: number, planeBytes: number): void;
  /** conv2dWinograd.ts: F(4, 5)'s output transform of eight planes [rows, T, co] planeBytes apart into y [rows, OW, co] (byte offsets). */
  winogradRowsOut(m: number, y: number, rows: number, OW: number, T: number, co: number, planeBytes: number): void;
  /** conv2dWinograd.ts: F(5, 4)'s transform of dy rows [rows, OW, co] into eight planes [rows, T, co] planeBytes apart (byte offsets). */
  winogradGradRowsIn(dy: number, v: number, rows: number, OW: number, T: number, co: number, planeBytes: number): void;
  /** conv2dWinograd.ts: nOut planes (dstStride bytes apart) = matrix [nOut, nIn] · nIn planes (srcStride apart) of `floats` floats, a multiple of 4 (byte offsets). */
  combinePlanes(src: number, srcStride: number, dst: number, dstStride: number, floats: number, nIn: number, nOut: number, matrix: number): void;
  /** addRowVector.ts: out [rows, c] = x [rows, c] + v [c] (byte offsets). */
  addRowVector(x: number, v: number, out: number, rows: number, c: number): void;
  /** addRowVector.ts: out [rows, c] = (x [rows, c] + y [rows, c]) + v [c] (byte offsets). */
  addPairRowVector(x: number, y: number, v: number, out: number, rows: number, c: number): void;
  /** fusedAdam.ts: m and v updated in place over n floats, po ← p + update as `adam` computes it (byte offsets). */
  adamInPlace(
    p: number, po: number, g: number, m: number, v: number, n: number,
    beta1: number, k1: number, beta2: number, k2: number, c1: number, c2: number, epsilon: number, scale: number,
  ): void;
  /** policyKernels.ts: out[i] = Σ_j tanh(x[i, j] + b[j])·w[j] + bOut[0], the sum in j's order (byte offsets). */
  biasTanhDot(x: number, b: number, w: number, bOut: number, out: number, n: number, u: number): void;
  /** tanh.ts: s ← tanh(x) from s = σ(2x) over n floats, as tanh.ts's loop computes it (byte offsets). */
  tanhFromSigmoid(x: number, s: number, n: number): void;
}

let compiled: WebAssembly.Module | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();

function compile(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Uint8Array.from(atob(SIMD_KERNELS_BASE64), (c) => c.charCodeAt(0)));
    } catch {
      compiled = null; // no wasm SIMD here: callers use their scalar path
    }
  }
  return compiled;
}

/** The kernels bound to this backend's memory, or undefined where wasm SIMD (or the memory) is unavailable. */
export function simdKernels(backend: BackendWasm): SimdKernels | undefined {
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  const known = instances.get(memory);
  if (known !== undefined) return known;
  const module = compile();
  if (module === null) return undefined;
  let kernels: SimdKernels;
  try {
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
  } catch {
    // The threaded build's memory is shared, and kernels.wat imports an unshared one: a LinkError. The scalar path serves.
    return undefined;
  }
  instances.set(memory, kernels);
  return kernels;
}
