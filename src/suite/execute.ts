/**
 * Runs a group of independent runs of one optimizer on one task — seeds ×
 * hyper-parameter grid points — as rows of one batched computation, and turns
 * each row into a RunRecord. Rows never interact: every rule used here acts
 * coordinate-wise, per-row hyper-parameters are [rows, 1] tensors, and a row that
 * diverges is frozen (its later losses are null) while the others go on.
 */
import * as tf from '@tensorflow/tfjs';
import { applyUpdates, treeTensors, type StateTree, type UpdateRule } from '../rules/index.js';
import { gradientNoise } from '../tasks/noise.js';
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

/** Records keep 6 significant digits: float32 carries about 7, and runs.jsonl stays small enough to commit. */
function round(x: number): number {
  return Number.parseFloat(x.toPrecision(6));
}

interface RowTrace {
  losses: Array<number | null>;
  diverged: boolean;
  trajectory: Array<[number, number, number]>;
  /** UpdateOutput.trace values, by name, one per step. */
  chosen: Record<string, Array<number | null>>;
}

/** The row-wise loss and its gradient (rows are independent, so the gradient of the sum is each row's own). */
export function lossAndGrad(task: Task, problem: ReturnType<Task['instantiate']>, theta: tf.Tensor2D, step: number): { rows: tf.Tensor1D; grad: tf.Tensor2D } {
  let rows: tf.Tensor1D | undefined;
  const grad = tf.grad((x: tf.Tensor) => {
    rows = tf.keep(problem.loss(x as tf.Tensor2D, step));
    return tf.sum(rows);
  })(theta) as tf.Tensor2D;
  if (task.gradientNoise === undefined || task.gradientNoise === 0) return { rows: rows!, grad };
  const noisy = tf.tidy(() => tf.add(grad, gradientNoise(problem.seeds, step, task.dimension, task.gradientNoise!))) as tf.Tensor2D;
  grad.dispose();
  return { rows: rows!, grad: noisy };
}

/** The rule's step on every row; diverged rows (false in `alive`) keep their parameters. New tensors out, inputs untouched. */
export function applyRule(
  rule: UpdateRule,
  problem: ReturnType<Task['instantiate']>,
  at: { theta: tf.Tensor2D; state: StateTree; grad: tf.Tensor2D; rowLosses: tf.Tensor1D; alive: tf.Tensor; step: number },
): { theta: tf.Tensor2D; state: StateTree; chosen: Record<string, tf.Tensor> } {
  const { theta, state, grad, rowLosses, alive, step } = at;
  const probeLoss = (params: readonly tf.Tensor[], batch: number) => problem.loss(params[0] as tf.Tensor2D, batch);
  return tf.tidy(() => {
    const out = rule.update({ grads: [grad], params: [theta], loss: rowLosses, step, probeLoss }, state);
    const moved = applyUpdates([theta], out.updates)[0] as tf.Tensor;
    return { theta: tf.where(alive, moved, theta) as tf.Tensor2D, state: out.state, chosen: out.trace ?? {} };
  });
}

export async function runGroup(spec: GroupSpec): Promise<RunRecord[]> {
  const { task, rows, steps } = spec;
  const factor = spec.divergenceFactor ?? 1e6;
  const every = Math.max(1, Math.ceil(steps / (spec.trajectoryPoints ?? 50)));
  const wantTrajectory = task.dimension === 2;
  const started = performance.now();

  const problem = task.instantiate(rows.map((r) => r.seed));
  const { rule, dispose: disposeRule } = spec.buildRule(rows);
  let theta = tf.clone(problem.start);
  let state = rule.init([theta]);
  const traces: RowTrace[] = rows.map(() => ({ losses: [], diverged: false, trajectory: [], chosen: {} }));
  let alive = tf.ones([rows.length, 1], 'bool');
  const evaluation = spec.evaluation === undefined ? undefined : new EvaluationRecorder(task, problem, rows.length, steps, spec.evaluation);
  const living = () => traces.map((t) => !t.diverged);

  const observe = async (rowLosses: tf.Tensor1D, step: number, final: boolean): Promise<boolean> => {
    const values = await rowLosses.data();
    const positions = wantTrajectory && (step % every === 0 || final) ? await theta.data() : undefined;
    let changed = false;
    traces.forEach((trace, i) => {
      if (trace.diverged) {
        trace.losses.push(null);
        return;
      }
      const loss = values[i] as number;
      const limit = factor * Math.max(Math.abs(trace.losses[0] ?? loss), 1);
      if (!Number.isFinite(loss) || loss > limit) {
        trace.diverged = true;
        trace.losses.push(null);
        changed = true;
        return;
      }
      trace.losses.push(round(loss));
      if (positions !== undefined && rows[i]!.seed === 0) trace.trajectory.push([step, round(positions[2 * i] as number), round(positions[2 * i + 1] as number)]);
    });
    return changed;
  };

  const reachedAt: Array<number | null> = rows.map(() => null);
  const checkAccuracy = async (step: number) => {
    if (problem.evaluate === undefined || spec.evaluateEvery === undefined || spec.targetAccuracy === undefined) return;
    if (step % spec.evaluateEvery !== 0 && step !== steps) return;
    if (reachedAt.every((r) => r !== null)) return;
    const metrics = await problem.evaluate(theta, { limit: spec.evaluationLimit ?? 1000 });
    metrics.forEach((m, i) => {
      if (reachedAt[i] === null && !traces[i]!.diverged && (m['testAccuracy'] ?? -1) >= spec.targetAccuracy!) reachedAt[i] = step;
    });
  };

  try {
    for (let step = 0; step < steps; step++) {
      if (step > 0) await checkAccuracy(step);
      const { rows: rowLosses, grad } = lossAndGrad(task, problem, theta, step);
      if (await observe(rowLosses, step, false)) {
        alive.dispose();
        alive = tf.tensor2d(traces.map((t) => (t.diverged ? 0 : 1)), [rows.length, 1], 'bool');
      }
      await evaluation?.at(step, theta, living());
      const { theta: nextTheta, state: nextState, chosen } = applyRule(rule, problem, { theta, state, grad, rowLosses, alive, step });
      await recordChosen(traces, chosen);
      tf.dispose([rowLosses, grad, theta, ...treeTensors(state), ...Object.values(chosen)]);
      theta = nextTheta;
      state = nextState;
    }
    const last = tf.tidy(() => problem.loss(theta, steps));
    await observe(last, steps, true);
    last.dispose();
    await evaluation?.at(steps, theta, living());
    await checkAccuracy(steps);
    const metrics = problem.evaluate === undefined ? undefined : await problem.evaluate(theta);
    if (metrics !== undefined && spec.targetAccuracy !== undefined && spec.evaluateEvery !== undefined) {
      metrics.forEach((m, i) => {
        m['reachedTargetAccuracy'] = reachedAt[i] === null ? 0 : 1;
        if (reachedAt[i] !== null) m['stepsToTargetAccuracy'] = reachedAt[i]!;
      });
    }

    const wallMs = (performance.now() - started) / rows.length;
    return rows.map((row, i) => withEvaluation(toRecord(spec, row, traces[i]!, wallMs, metrics?.[i]), evaluation, i));
  } finally {
    tf.dispose([theta, alive, ...treeTensors(state)]);
    disposeRule();
    problem.dispose();
  }
}

/** Appends this step's controller choices (UpdateOutput.trace) to each live row. */
async function recordChosen(traces: RowTrace[], chosen: Record<string, tf.Tensor>): Promise<void> {
  for (const [name, tensor] of Object.entries(chosen)) {
    const values = await tensor.data();
    traces.forEach((trace, i) => {
      (trace.chosen[name] ??= []).push(trace.diverged ? null : round(values[i] as number));
    });
  }
}

function toRecord(spec: GroupSpec, row: Row, trace: RowTrace, wallMs: number, metrics: Record<string, number> | undefined): RunRecord {
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
