/**
 * Coordinate-wise learned optimizers (the LSTM, the coordinate policy) run one small network over every
 * coordinate, and every coordinate is independent of the others. So the coordinates can go through in slices,
 * each slice's temporaries freed before the next: memory is bounded by the slice, not by the model. Without
 * this a 10⁶-parameter model's per-coordinate temporaries ([n, 80] gates, [n, 32] hidden layers, …) overflow
 * wasm's 4 GiB heap. This is the one slicing mechanism those rules share.
 */
import tf from '#tfjs';
import { memoryBudget } from '../backend/memory.js';
import type { ConcreteBackend } from '../backend/names.js';
import { wasmHeapLimitBytes } from '../backend/wasm/heap.js';

/** What one coordinate costs a rule while its slice is computed. */
export interface CoordinateCost {
  /** Bytes of temporaries per coordinate (all live at once: a slice runs in one tf.tidy). */
  bytesPerCoordinate: number;
  /** Bytes of the widest per-coordinate row of any one tensor (WebGPU limits single buffers). */
  widestRowBytes: number;
}

/** Share of the free memory one slice's temporaries may take (the rest: outputs, fragmentation, the model). */
const SLICE_SHARE = 0.25;
/** Below this, per-slice overhead dominates; a backend that cannot hold this many coordinates cannot run the rule. */
export const MIN_SLICE = 4096;

/**
 * Coordinates per slice on the active backend: as many as fit in a share of the memory its tensors may
 * still take (wasm: the heap guard's limit, less what tensors hold now), and, on WebGPU, in one buffer.
 */
export function coordinateSlice(n: number, cost: CoordinateCost): number {
  const backend = tf.getBackend() as ConcreteBackend;
  const budget = memoryBudget(backend);
  const limit = backend === 'wasm' ? Math.min(budget.bytes, wasmHeapLimitBytes()) : budget.bytes;
  const free = Math.max(0, limit - tf.memory().numBytes);
  let slice = Math.floor((SLICE_SHARE * free) / cost.bytesPerCoordinate);
  if (budget.bufferBytes !== undefined) slice = Math.min(slice, Math.floor(budget.bufferBytes / cost.widestRowBytes));
  return Math.max(MIN_SLICE, Math.min(n, slice));
}

/**
 * `compute` over the coordinates [0, n) in slices of `slice`: every tensor of `perCoordinate` has the
 * coordinates on its first axis and is cut to the slice; every output has them on its first axis too and is
 * concatenated back. With n ≤ slice, one call on the whole tensors (no copies). Differentiable: slicing and
 * concatenation are tfjs ops, so meta-gradients flow through (BPTT keeps every slice's tape, of course).
 */
export function mapCoordinateSlices(n: number, slice: number, perCoordinate: readonly tf.Tensor[], compute: (sliced: tf.Tensor[]) => tf.Tensor[]): tf.Tensor[] {
  if (!(Number.isInteger(slice) && slice >= 1)) throw new Error(`coordinate slice: expected a positive integer, got ${slice}`);
  if (n <= slice) return compute([...perCoordinate]);
  const parts: tf.Tensor[][] = [];
  for (let from = 0; from < n; from += slice) {
    const size = Math.min(slice, n - from);
    parts.push(tf.tidy(() => compute(perCoordinate.map((t) => tf.slice(t, [from, ...Array<number>(t.rank - 1).fill(0)], [size, ...Array<number>(t.rank - 1).fill(-1)])))));
  }
  const outputs = parts[0]!.map((_, k) => tf.concat(parts.map((p) => p[k]!), 0));
  tf.dispose(parts.flat());
  return outputs;
}
