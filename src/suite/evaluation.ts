/**
 * The evaluation curve of a group's runs: at a schedule of steps (0, every N, and
 * the last), each row's training loss measured properly — on the full training set
 * or its first `examples` examples for minibatch tasks (Problem.trainLoss), the
 * objective itself for tasks whose loss is not a minibatch's — and, where the task
 * has a test set, test loss and accuracy. From the curve: the final evaluation
 * loss, its area (mean over the schedule), and the steps and training wall-clock
 * to the task's threshold (its `threshold`, stated in the suite). The runner calls
 * `at` from its loop; evaluation time is kept off the clock.
 */
import tf from '#tfjs';
import type { Problem, Task } from '../tasks/types.js';
import type { RunRecord } from './record.js';

export interface EvaluationOptions {
  /** Evaluate every this many steps (and at step 0 and the last step). */
  every: number;
  /** Examples of the training (and test) set per evaluation; default all. */
  examples?: number;
}

export type EvaluationCurve = NonNullable<RunRecord['evaluation']>;

export function evaluationSteps(steps: number, every: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < steps; s += every) out.push(s);
  out.push(steps);
  return out;
}

/** How the training loss of the curve is measured, in words for the report. */
export function describeEvaluation(task: Task, problemHasTrainLoss: boolean, options: EvaluationOptions): string {
  const source = problemHasTrainLoss ? (options.examples === undefined ? 'the full training set' : `the first ${options.examples} training examples (a fixed evaluation batch)`) : 'the full objective (the task has no minibatches)';
  return `every ${options.every} steps, training loss on ${source}${task.threshold === undefined ? '' : `; target: loss ≤ ${task.threshold}`}`;
}

const round = (x: number) => Number.parseFloat(x.toPrecision(6));

export class EvaluationRecorder {
  private readonly schedule: Set<number>;
  private readonly curves: EvaluationCurve[];
  private readonly started = performance.now();
  private evaluatingMs = 0;

  constructor(
    private readonly task: Task,
    private readonly problem: Problem,
    rows: number,
    steps: number,
    private readonly options: EvaluationOptions,
  ) {
    this.schedule = new Set(evaluationSteps(steps, options.every));
    const source = describeEvaluation(task, problem.trainLoss !== undefined, options);
    this.curves = Array.from({ length: rows }, () => ({ every: options.every, source, steps: [], ms: [], loss: [] }));
  }

  /** At a scheduled step, records each row's evaluation (null for rows no longer alive). */
  async at(step: number, theta: tf.Tensor2D, alive: readonly boolean[]): Promise<void> {
    if (!this.schedule.has(step)) return;
    const begin = performance.now();
    const trainingMs = (begin - this.started - this.evaluatingMs) / this.curves.length;
    const limit = this.options.examples === undefined ? {} : { limit: this.options.examples };
    let losses: ArrayLike<number>;
    if (this.problem.trainLoss !== undefined) losses = await this.problem.trainLoss(theta, limit);
    else {
      const t = tf.tidy(() => this.problem.loss(theta, step));
      losses = await t.data();
      t.dispose();
    }
    const test = this.problem.evaluate === undefined ? undefined : await this.problem.evaluate(theta, limit);
    this.curves.forEach((curve, i) => {
      const ok = alive[i] === true && Number.isFinite(losses[i]!);
      curve.steps.push(step);
      curve.ms.push(round(trainingMs));
      curve.loss.push(ok ? round(losses[i]!) : null);
      if (test !== undefined) {
        (curve.testLoss ??= []).push(ok ? round(test[i]!['testLoss'] ?? NaN) : null);
        (curve.testAccuracy ??= []).push(ok ? round(test[i]!['testAccuracy'] ?? NaN) : null);
      }
    });
    this.evaluatingMs += performance.now() - begin;
  }

  /** Row i's curve, and the numbers read off it (added to the record's metrics). */
  result(i: number): { evaluation: EvaluationCurve; metrics: Record<string, number> } {
    const curve = this.curves[i]!;
    const metrics: Record<string, number> = {};
    const last = curve.loss.at(-1);
    if (last !== null && last !== undefined) {
      metrics['evalLoss'] = last;
      metrics['evalAuc'] = round(curve.loss.reduce<number>((a, b) => a + (b ?? 0), 0) / curve.loss.length);
    }
    const threshold = this.task.threshold;
    const reached = threshold === undefined ? -1 : curve.loss.findIndex((l) => l !== null && l <= threshold);
    if (reached >= 0) {
      metrics['stepsToTarget'] = curve.steps[reached]!;
      metrics['msToTarget'] = curve.ms[reached]!;
    }
    return { evaluation: curve, metrics };
  }
}

/** A record with its evaluation curve and the metrics read off it. */
export function withEvaluation(record: RunRecord, recorder: EvaluationRecorder | undefined, row: number): RunRecord {
  if (recorder === undefined) return record;
  const { evaluation, metrics } = recorder.result(row);
  return { ...record, evaluation, metrics: { ...record.metrics, ...metrics } };
}
