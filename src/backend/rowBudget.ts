/**
 * How many independent rows fit a memory budget: measure one row's step with
 * `measurePeakBytes`, then ask `rowsThatFit`. Suite groups (suite/sizing.ts),
 * meta-training micro-batches and ES perturbations are sized alike.
 */
import tf from '#tfjs';
import type { MemoryBudget } from './memory.js';

/** What one row costs, measured on a one-row probe step. */
export interface RowFootprint {
  /** Peak bytes one row adds during a step: its data, parameters, activations kept for the gradient, gradient, the rule's state and temporaries. */
  stepBytes: number;
  /** Peak bytes an evaluation pass adds (rows are evaluated one after another: does not grow with rows). */
  evaluationBytes: number;
  /** The largest single tensor of the step (for backends that limit buffers). */
  largestTensorBytes: number;
}

/** The share of a budget the estimate may use: the rest absorbs fragmentation and kernels' scratch buffers the engine does not count. */
export const SAFETY_FRACTION = 0.75;

/**
 * Peak bytes held by tfjs tensors while `fn` runs, above what was held before, and
 * the largest tensor it made. Watches the engine's byte count as it changes, rather
 * than using `tf.profile`: the profiler runs kernels inside an async timer on wasm and
 * WebGPU, where a kernel's error (a full heap) becomes an unhandled rejection.
 */
export async function measurePeakBytes(fn: () => Promise<void> | void): Promise<{ peakBytes: number; largestTensorBytes: number }> {
  const state = (tf.engine() as unknown as { state: { numBytes: number } }).state;
  const before = state.numBytes;
  let [value, peak, largest] = [before, before, 0];
  Object.defineProperty(state, 'numBytes', {
    configurable: true,
    enumerable: true,
    get: () => value,
    set: (next: number) => {
      // The engine adds one tensor's bytes at a time.
      largest = Math.max(largest, next - value);
      peak = Math.max(peak, next);
      value = next;
    },
  });
  try {
    await fn();
  } finally {
    Object.defineProperty(state, 'numBytes', { configurable: true, enumerable: true, writable: true, value });
  }
  return { peakBytes: peak - before, largestTensorBytes: largest };
}

/** Estimated peak bytes of a group of `rows` rows, on top of what the process already holds (`baseBytes`). */
export function estimateGroupBytes(footprint: RowFootprint, rows: number, baseBytes = 0): number {
  return baseBytes + rows * footprint.stepBytes + footprint.evaluationBytes;
}

export interface GroupSize {
  /** Rows per group (at least 1). */
  rows: number;
  /** Whether even one row is estimated to fit (a single row is still tried: the estimate errs on the safe side). */
  fits: boolean;
  /** The estimate for a group of `rows`, in bytes. */
  estimatedBytes: number;
}

/** The most rows whose estimate stays under `fraction` of the budget (and under its buffer limit, if any). */
export function rowsThatFit(footprint: RowFootprint, budget: MemoryBudget, options: { baseBytes?: number; fraction?: number; most?: number } = {}): GroupSize {
  const fraction = options.fraction ?? SAFETY_FRACTION;
  const base = options.baseBytes ?? 0;
  const byTotal = Number.isFinite(budget.bytes) ? Math.floor((fraction * budget.bytes - base - footprint.evaluationBytes) / Math.max(footprint.stepBytes, 1)) : Infinity;
  // The row-wise tensors ([rows, parameters]) grow with the rows; assume the largest one does (the safe side).
  const byBuffer = budget.bufferBytes === undefined ? Infinity : Math.floor((fraction * budget.bufferBytes) / Math.max(footprint.largestTensorBytes, 1));
  const most = Math.min(byTotal, byBuffer);
  const rows = Math.max(1, Math.min(most, options.most ?? Number.MAX_SAFE_INTEGER));
  return { rows, fits: most >= 1, estimatedBytes: estimateGroupBytes(footprint, rows, base) };
}
