/**
 * Runs a group of independent runs of one optimizer on one task — seeds ×
 * hyper-parameter grid points — as rows of one batched computation, and turns
 * each row into a RunRecord. Rows never interact: every rule used here acts
 * coordinate-wise, per-row hyper-parameters are [rows, 1] tensors, and a row that
 * diverges is frozen (its later losses are null) while the others go on.
 */
import tf from '#tfjs';
import { round, RowCurves } from '../loop/curves.js';
import { driveRows } from '../loop/drive.js';
import type { UpdateRule } from '../rules/index.js';
import type { Task } from '../tasks/types.js';
import type { RunRecord } from './record.js';
import { EvaluationRecorder, withEvaluation, type EvaluationOptions } from './evaluation.js';

export type HParams = Record<string, number | string | boolean>;

export interface Row {
  seed: number;
  hparams: HParams;
}

export interface GroupSpec {
  task: Task;
  optimizer: string;
  rows: Row[];
  steps: number;
  backend: string;
  /** Builds the rule for these rows (per-row hyper-parameters as [rows, 1] tensors); `dispose` frees what it made. */
  buildRule(rows: Row[]): { rule: UpdateRule; dispose(): void };
  /** A loss above factor × max(|initial loss|, 1), or NaN/Inf, marks a run diverged. */
  divergenceFactor?: number;
  /** At most this many trajectory points are kept, for the seed-0 run of 2-D tasks (the one plots draw). */
  trajectoryPoints?: number;
  /** Tasks with held-out metrics: check test accuracy every this many steps (on `evaluationLimit` examples). */
  evaluateEvery?: number;
  evaluationLimit?: number;
  /** Records `stepsToTargetAccuracy` (first checked step at or above it) and `reachedTargetAccuracy` (0/1). */
  targetAccuracy?: number;
  /** The evaluation curve's schedule (see evaluation.ts); absent: no curve. */
  evaluation?: EvaluationOptions;
}

interface RowTrace {
  trajectory: Array<[number, number, number]>;
  /** UpdateOutput.trace values, by name, one per step. */
  chosen: Record<string, Array<number | null>>;
}

export async function runGroup(spec: GroupSpec): Promise<RunRecord[]> {
  const { task, rows, steps } = spec;
  const every = Math.max(1, Math.ceil(steps / (spec.trajectoryPoints ?? 50)));
  const wantTrajectory = task.dimension === 2;
  const started = performance.now();

  const problem = task.instantiate(rows.map((r) => r.seed));
  const { rule, dispose: disposeRule } = spec.buildRule(rows);
  const curves = new RowCurves(rows.length, spec.divergenceFactor ?? 1e6);
  const traces: RowTrace[] = rows.map(() => ({ trajectory: [], chosen: {} }));
  const evaluation = spec.evaluation === undefined ? undefined : new EvaluationRecorder(task, problem, rows.length, steps, spec.evaluation);
  const living = () => curves.diverged.map((d) => !d);

  const observe = async (rowLosses: tf.Tensor1D, theta: tf.Tensor2D, step: number, final: boolean) => {
    const values = await rowLosses.data();
    const positions = wantTrajectory && (step % every === 0 || final) ? await theta.data() : undefined;
    const frozen = curves.observe(values);
    if (positions !== undefined) {
      traces.forEach((trace, i) => {
        if (!curves.diverged[i] && rows[i]!.seed === 0) trace.trajectory.push([step, round(positions[2 * i] as number), round(positions[2 * i + 1] as number)]);
      });
    }
    return frozen;
  };

  const reachedAt: Array<number | null> = rows.map(() => null);
  const checkAccuracy = async (step: number, theta: tf.Tensor2D) => {
    if (problem.evaluate === undefined || spec.evaluateEvery === undefined || spec.targetAccuracy === undefined) return;
    if (step % spec.evaluateEvery !== 0 && step !== steps) return;
    if (reachedAt.every((r) => r !== null)) return;
    const metrics = await problem.evaluate(theta, { limit: spec.evaluationLimit ?? 1000 });
    metrics.forEach((m, i) => {
      if (reachedAt[i] === null && !curves.diverged[i] && (m['testAccuracy'] ?? -1) >= spec.targetAccuracy!) reachedAt[i] = step;
    });
  };

  let metrics: Array<Record<string, number>> | undefined;
  try {
    await driveRows({
      task,
      problem,
      rule,
      steps,
      freezable: true,
      hooks: {
        beforeStep: checkAccuracy,
        onLoss: async (rowLosses, step, theta, final) => {
          const frozen = await observe(rowLosses, theta, step, final);
          await evaluation?.at(step, theta, living());
          return frozen;
        },
        onTrace: (chosen) => recordChosen(traces, curves.diverged, chosen),
        end: async (theta) => {
          await checkAccuracy(steps, theta);
          metrics = problem.evaluate === undefined ? undefined : await problem.evaluate(theta);
        },
      },
    });
    if (metrics !== undefined && spec.targetAccuracy !== undefined && spec.evaluateEvery !== undefined) {
      metrics.forEach((m, i) => {
        m['reachedTargetAccuracy'] = reachedAt[i] === null ? 0 : 1;
        if (reachedAt[i] !== null) m['stepsToTargetAccuracy'] = reachedAt[i]!;
      });
    }

    const wallMs = (performance.now() - started) / rows.length;
    return rows.map((row, i) => withEvaluation(toRecord(spec, row, { losses: curves.losses[i]!, diverged: curves.diverged[i]!, ...traces[i]! }, wallMs, metrics?.[i]), evaluation, i));
  } finally {
    disposeRule();
    problem.dispose();
  }
}

/** Appends this step's controller choices (UpdateOutput.trace) to each live row. */
async function recordChosen(traces: RowTrace[], diverged: readonly boolean[], chosen: Record<string, tf.Tensor>): Promise<void> {
  for (const [name, tensor] of Object.entries(chosen)) {
    const values = await tensor.data();
    traces.forEach((trace, i) => {
      (trace.chosen[name] ??= []).push(diverged[i] ? null : round(values[i] as number));
    });
  }
}

function toRecord(spec: GroupSpec, row: Row, trace: RowTrace & { losses: Array<number | null>; diverged: boolean }, wallMs: number, metrics: Record<string, number> | undefined): RunRecord {
  const { task, steps } = spec;
  const finite = trace.losses.filter((l): l is number => l !== null);
  const threshold = task.threshold;
  const reached = threshold === undefined ? -1 : trace.losses.findIndex((l) => l !== null && l <= threshold);
  const record: RunRecord = {
    task: task.id,
    optimizer: spec.optimizer,
    hparams: row.hparams,
    seed: row.seed,
    backend: spec.backend,
    steps,
    losses: trace.losses,
    finalLoss: trace.diverged ? null : (trace.losses[steps] ?? null),
    bestLoss: finite.length === 0 ? null : Math.min(...finite),
    stepsToThreshold: reached >= 0 ? reached : null,
    auc: trace.diverged ? null : finite.reduce((a, b) => a + b, 0) / finite.length,
    wallMs,
    diverged: trace.diverged,
    lossScale: task.lossScale,
  };
  if (task.optimum !== undefined) record.optimum = task.optimum;
  if (trace.trajectory.length > 0) record.trajectory = trace.trajectory;
  if (metrics !== undefined) record.metrics = metrics;
  if (Object.keys(trace.chosen).length > 0) record.traces = trace.chosen;
  return record;
}
