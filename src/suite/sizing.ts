/**
 * How many rows (runs) of a task and an optimizer fit in one batched group.
 *
 * What fills memory is not the parameters but what a step keeps for the gradient:
 * every row's activations (rows × batch × feature maps) stay alive until the
 * backward pass, beside the parameters, the gradient and the rule's state (tens of
 * numbers per coordinate for learned optimizers). All of it grows linearly with the
 * rows, so one step of one row, measured, gives the cost of a row. Evaluation runs
 * the rows one after another and adds a fixed amount.
 *
 * The same arithmetic sizes any batch of independent rows — meta-training episodes
 * per meta-step, ES perturbations, a worker's share of a suite: measure one row
 * with `measurePeakBytes`, then ask `rowsThatFit`.
 */
import * as tf from '@tensorflow/tfjs';
import type { MemoryBudget } from '../backend/memory.js';
import { treeTensors } from '../rules/index.js';
import type { Task } from '../tasks/types.js';
import { lossAndGrad } from '../loop/lossAndGrad.js';
import { stepRule } from '../loop/step.js';
import type { GroupSpec, Row } from './execute.js';

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

/** One step of one row of `task` under the rule `buildRule` makes (the runner's own step), and one evaluation, measured. */
export async function probeRowFootprint(
  task: Task,
  buildRule: GroupSpec['buildRule'],
  row: Row,
  evaluationLimit = 1000,
): Promise<RowFootprint> {
  let problem: ReturnType<Task['instantiate']> | undefined;
  let built: ReturnType<GroupSpec['buildRule']> | undefined;
  // Everything made is disposed in `finally`, also when the step runs out of memory half-way.
  const made: tf.Tensor[] = [];
  let theta: tf.Tensor2D | undefined;
  try {
    const step = await measurePeakBytes(() => {
      problem = task.instantiate([row.seed]);
      built = buildRule([row]);
      const start = tf.clone(problem.start);
      const state = built.rule.init([start]);
      const alive = tf.ones([1, 1], 'bool');
      made.push(start, alive, ...treeTensors(state));
      const { rows: rowLosses, grad } = lossAndGrad(task, problem, start, 0);
      made.push(rowLosses, grad);
      const rule = built.rule;
      const next = tf.tidy(() => stepRule(rule, problem!, { theta: start, state, grad, loss: rowLosses, alive, step: 0 }));
      made.push(next.theta, ...treeTensors(next.state), ...Object.values(next.trace));
      theta = next.theta;
    });
    const evaluate = problem!.evaluate;
    const evaluation = evaluate === undefined ? { peakBytes: 0 } : await measurePeakBytes(async () => void (await evaluate(theta!, { limit: evaluationLimit })));
    return { stepBytes: step.peakBytes, evaluationBytes: evaluation.peakBytes, largestTensorBytes: step.largestTensorBytes };
  } finally {
    tf.dispose(made);
    built?.dispose();
    problem?.dispose();
  }
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
