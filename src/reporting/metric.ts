/**
 * The metrics a suite can rank by (`metrics` in a suite file; the first is its
 * primary metric: it picks grid points, ranks optimizers and feeds the
 * cross-task statistics). Each says how to read it off a run record, which
 * direction is better, and how to turn it into a cost ≥ 0 (lower is better) for
 * performance profiles and normalisation.
 */
import type { RunRecord } from '../suite/record.js';

export interface MetricSpec {
  /** As tables name it. */
  label: string;
  higherIsBetter: boolean;
  /** The run's value; null when the run has none (diverged, target not reached, task without the metric). */
  value(run: RunRecord): number | null;
  /** Unreached/absent counts as failure (+∞ cost) rather than as "no data" (stepsToThreshold). */
  missingIsFailure: boolean;
  /** Loss-like: its cost is the value above the task's optimum. */
  lossLike: boolean;
  /** Read from the whole evaluation curve (not only its last point): runs choosing by it need every scheduled evaluation. */
  curve?: true;
}

const metric = (r: RunRecord, name: string) => r.metrics?.[name] ?? null;
const ifAlive = (r: RunRecord, v: number | null) => (r.diverged ? null : v);

export const METRICS: Record<string, MetricSpec> = {
  finalLoss: { label: 'final loss', higherIsBetter: false, missingIsFailure: true, lossLike: true, value: (r) => ifAlive(r, r.finalLoss) },
  bestLoss: { label: 'best loss', higherIsBetter: false, missingIsFailure: true, lossLike: true, value: (r) => r.bestLoss },
  auc: { label: 'AUC (mean loss over the run)', higherIsBetter: false, missingIsFailure: true, lossLike: true, value: (r) => ifAlive(r, r.auc) },
  stepsToThreshold: { label: 'steps to the loss threshold', higherIsBetter: false, missingIsFailure: true, lossLike: false, value: (r) => ifAlive(r, r.stepsToThreshold) },
  wallMs: { label: 'wall-clock ms per run', higherIsBetter: false, missingIsFailure: true, lossLike: false, value: (r) => ifAlive(r, r.wallMs) },
  testAccuracy: { label: 'test accuracy', higherIsBetter: true, missingIsFailure: true, lossLike: false, value: (r) => ifAlive(r, metric(r, 'testAccuracy')) },
  evalLoss: { label: 'evaluation loss at the last step', higherIsBetter: false, missingIsFailure: true, lossLike: true, value: (r) => ifAlive(r, metric(r, 'evalLoss')) },
  evalAuc: { label: 'evaluation loss, mean over the schedule', higherIsBetter: false, missingIsFailure: true, lossLike: true, curve: true, value: (r) => ifAlive(r, metric(r, 'evalAuc')) },
  stepsToTarget: { label: 'steps to the target evaluation loss', higherIsBetter: false, missingIsFailure: true, lossLike: false, curve: true, value: (r) => ifAlive(r, metric(r, 'stepsToTarget')) },
  msToTarget: { label: 'training ms to the target evaluation loss', higherIsBetter: false, missingIsFailure: true, lossLike: false, curve: true, value: (r) => ifAlive(r, metric(r, 'msToTarget')) },
  testLoss: { label: 'test loss', higherIsBetter: false, missingIsFailure: true, lossLike: true, value: (r) => ifAlive(r, metric(r, 'testLoss')) },
};

export function metricSpec(name: string): MetricSpec {
  const spec = METRICS[name];
  if (spec === undefined) throw new Error(`unknown metric '${name}'; known metrics: ${Object.keys(METRICS).join(', ')}`);
  return spec;
}

/** The value to minimise: a failed run (diverged, never reached) is +∞, the worst; higher-is-better metrics are negated. */
export function badness(run: RunRecord, name: string): number {
  const spec = metricSpec(name);
  const v = spec.value(run);
  if (v === null || !Number.isFinite(v)) return Infinity;
  return spec.higherIsBetter ? -v : v;
}

/**
 * A cost ≥ 0, lower is better (+∞ for a failure): a loss above the task's optimum
 * (0 when the task has none), 1 − accuracy, steps or milliseconds as they are.
 * Undefined where no such cost exists: a loss below its floor (a task unbounded
 * below, the saddle), which profiles leave out, and say so.
 */
export function cost(run: RunRecord, name: string): number | undefined {
  const spec = metricSpec(name);
  const v = spec.value(run);
  if (v === null || !Number.isFinite(v)) return Infinity;
  if (spec.higherIsBetter) return Math.max(0, 1 - v);
  if (!spec.lossLike) return v;
  const above = v - (run.optimum ?? 0);
  // Records keep 6 significant digits: a loss a rounding below its optimum is at it.
  if (above < 0) return run.optimum !== undefined && above > -1e-6 * Math.max(1, Math.abs(run.optimum)) ? 0 : undefined;
  return above;
}
