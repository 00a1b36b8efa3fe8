/**
 * Micro-batches of meta-training tasks, sized to memory (issue #22).
 *
 * A BPTT truncation keeps the tape of every task it unrolls until the backward
 * pass, so its peak grows with the tasks per iteration. The tasks are independent
 * rows and the meta-loss is their mean, so the tasks can be unrolled in
 * micro-batches and their meta-gradients combined, each weighted by its share of
 * the tasks: the result is the full batch's meta-gradient. MAML's episodes per
 * meta-step are split the same way. The size comes from the
 * suite's sizing (sizing.ts): one task's truncation measured, then `rowsThatFit`.
 */
import tf from '#tfjs';
import { memoryBudget, type MemoryBudget } from '../backend/memory.js';
import { CONCRETE_BACKENDS, type ConcreteBackend } from '../backend/names.js';
import { wasmHeapBytes } from '../backend/wasm/heap.js';
import { treeTensors, type UpdateRule } from '../rules/index.js';
import { measurePeakBytes, rowsThatFit } from '../backend/rowBudget.js';
import type { Task } from '../tasks/types.js';
import type { MetaTrainConfig } from './config.js';
import type { Estimate, Estimator } from './estimator.js';

export interface MicroBatchSize {
  /** Tasks unrolled together (at most `tasksPerIteration`). */
  tasks: number;
  /** Peak bytes one task's truncation adds: its data, θ, state and tape. */
  taskPeakBytes: number;
  /** Bytes one task holds between truncations (data, θ, state): every task's stay alive. */
  taskHeldBytes: number;
  /** Whether even one task is estimated to fit (one is still tried). */
  fits: boolean;
  /** The estimated peak with micro-batches of `tasks`: what was held before, every task's held bytes, one micro-batch's truncation. */
  estimatedBytes: number;
  /** The budget's source, for messages (e.g. "the wasm heap (4 GiB)"). */
  budget: string;
}

/** The budget of the backend tfjs runs on, lowered to `limitMiB` (config.memoryLimit) when finite. */
export function activeBudget(limitMiB: number): MemoryBudget {
  const name = tf.getBackend();
  const backend: ConcreteBackend = (CONCRETE_BACKENDS as readonly string[]).includes(name) ? (name as ConcreteBackend) : 'cpu';
  return memoryBudget(backend, Number.isFinite(limitMiB) ? limitMiB * 2 ** 20 : undefined);
}

/**
 * Sizes micro-batches of `tasks` tasks by measuring one: `probe` runs one task's
 * step (and frees what it made); it calls `markHeld` once what a task keeps between
 * steps exists (data, θ, state: every task's stays alive while the others run), and
 * not at all when nothing outlives its micro-batch.
 */
export async function sizeByOneTask(tasks: number, memoryLimitMiB: number, probe: (markHeld: () => void) => Promise<void>): Promise<MicroBatchSize> {
  // As the suite runner does: on wasm what the heap has grown to (module, data, free space) is taken as used.
  const base = wasmHeapBytes() ?? tf.memory().numBytes;
  let held = 0;
  const { peakBytes, largestTensorBytes } = await measurePeakBytes(async () => {
    const before = tf.memory().numBytes;
    await probe(() => {
      held = tf.memory().numBytes - before;
    });
  });
  const budget = activeBudget(memoryLimitMiB);
  const size = rowsThatFit({ stepBytes: peakBytes, evaluationBytes: 0, largestTensorBytes }, budget, { baseBytes: base + tasks * held, most: tasks });
  return { tasks: size.rows, taskPeakBytes: peakBytes, taskHeldBytes: held, fits: size.fits, estimatedBytes: size.estimatedBytes, budget: budget.source };
}

/** One truncation of the task of `seed` from its start, measured (φ is not changed), sizes the truncation's micro-batches. */
export function sizeTruncationMicroBatch(args: { estimator: Estimator; rule: UpdateRule; task: Task; seed: number; variables: tf.Variable[]; config: MetaTrainConfig }): Promise<MicroBatchSize> {
  const { estimator, rule, task, seed, variables, config } = args;
  return sizeByOneTask(config.tasksPerIteration, config.memoryLimit, async (markHeld) => {
    const problem = task.instantiate([seed]);
    const made: tf.Tensor[] = [];
    try {
      const theta = tf.clone(problem.start);
      const state = rule.init([theta]);
      made.push(theta, ...treeTensors(state));
      markHeld();
      const estimate: Estimate = await estimator.estimate({ rule, problem, task, seeds: [seed], from: { theta, state, step: 0 }, variables, config, iteration: 0 });
      made.push(...estimate.grads.filter((g) => g !== undefined), estimate.carried.theta, ...treeTensors(estimate.carried.state));
    } finally {
      // Also when the probe itself runs out of memory half-way.
      tf.dispose(made);
      problem.dispose();
    }
  });
}

/** `total` tasks dealt into micro-batches of at most `size`: their lengths. */
export function microBatchLengths(total: number, size: number): number[] {
  return Array.from({ length: Math.ceil(total / size) }, (_, i) => Math.min(size, total - i * size));
}

/**
 * The full batch's estimate from its micro-batches': meta-loss and gradients are
 * means over tasks, so each part counts by its share of the tasks. Disposes the
 * parts' gradients; the carried states stay with the caller.
 */
export function combineEstimates(parts: ReadonlyArray<{ metaLoss: number; grads: ReadonlyArray<tf.Tensor | undefined> }>, lengths: number[]): { metaLoss: number; grads: Array<tf.Tensor | undefined> } {
  if (parts.length === 1) return { metaLoss: parts[0]!.metaLoss, grads: [...parts[0]!.grads] };
  const total = lengths.reduce((a, b) => a + b, 0);
  const weights = lengths.map((n) => n / total);
  const metaLoss = parts.reduce((sum, p, i) => sum + weights[i]! * p.metaLoss, 0);
  const grads = parts[0]!.grads.map((_, v) =>
    parts.some((p) => p.grads[v] === undefined) ? undefined : tf.tidy(() => tf.addN(parts.map((p, i) => tf.mul(p.grads[v]!, weights[i]!)))),
  );
  tf.dispose(parts.flatMap((p) => p.grads.filter((g) => g !== undefined)));
  return { metaLoss, grads };
}
