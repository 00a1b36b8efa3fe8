/**
 * Per task and optimizer: the best grid point (lowest mean final loss over
 * seeds; a diverged run counts as +∞, ties broken by mean AUC), its statistics
 * over seeds, and a rank per task.
 */
import type { RunRecord } from '../suite/record.js';

export interface Stat {
  mean: number | null;
  std: number | null;
}

export interface OptimizerSummary {
  optimizer: string;
  rank: number;
  /** The chosen grid point's hyper-parameters. */
  hparams: RunRecord['hparams'];
  gridPoints: number;
  seeds: number;
  diverged: number;
  finalLoss: Stat;
  bestLoss: Stat;
  auc: Stat;
  /** Mean steps to threshold over the runs that reached it. */
  stepsToThreshold: { mean: number | null; reached: number };
  wallMs: number;
  /** Means of task metrics (e.g. testAccuracy) over non-diverged seeds. */
  metrics: Record<string, number>;
  /** Half-widths of their 95% confidence intervals, 1.96·s/√n (normal approximation; n ≥ 2). */
  metricsCi95: Record<string, number>;
  /** The chosen group's records (for plots). */
  runs: RunRecord[];
}

export interface TaskSummary {
  task: string;
  optimizers: OptimizerSummary[];
}

export function stat(values: number[]): Stat {
  if (values.length === 0) return { mean: null, std: null };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = values.length < 2 ? 0 : Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
  return { mean, std };
}

const hparamKey = (h: RunRecord['hparams']) => JSON.stringify(Object.keys(h).sort().map((k) => [k, h[k]]));

/** Mean final loss with diverged runs as +∞ (the tuning criterion). */
function score(runs: RunRecord[]): [number, number] {
  const finals = runs.map((r) => (r.diverged || r.finalLoss === null ? Infinity : r.finalLoss));
  const aucs = runs.map((r) => (r.diverged || r.auc === null ? Infinity : r.auc));
  return [finals.reduce((a, b) => a + b, 0) / finals.length, aucs.reduce((a, b) => a + b, 0) / aucs.length];
}

const metricValues = (runs: RunRecord[], name: string) => runs.map((r) => r.metrics?.[name] ?? NaN).filter(Number.isFinite);

function summarizeOptimizer(optimizer: string, runs: RunRecord[]): Omit<OptimizerSummary, 'rank'> {
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) groups.set(hparamKey(r.hparams), [...(groups.get(hparamKey(r.hparams)) ?? []), r]);
  const ranked = [...groups.values()].sort((a, b) => {
    const [fa, aa] = score(a);
    const [fb, ab] = score(b);
    return fa !== fb ? (fa < fb ? -1 : 1) : aa - ab || 0;
  });
  const chosen = ranked[0]!.sort((a, b) => a.seed - b.seed);
  const ok = chosen.filter((r) => !r.diverged);
  const reached = chosen.filter((r) => r.stepsToThreshold !== null).map((r) => r.stepsToThreshold as number);
  const metricNames = [...new Set(ok.flatMap((r) => Object.keys(r.metrics ?? {})))];
  return {
    optimizer,
    hparams: chosen[0]!.hparams,
    gridPoints: groups.size,
    seeds: chosen.length,
    diverged: chosen.length - ok.length,
    finalLoss: stat(ok.map((r) => r.finalLoss as number)),
    bestLoss: stat(chosen.filter((r) => r.bestLoss !== null).map((r) => r.bestLoss as number)),
    auc: stat(ok.map((r) => r.auc as number)),
    stepsToThreshold: { mean: stat(reached).mean, reached: reached.length },
    wallMs: chosen.reduce((a, r) => a + r.wallMs, 0) / chosen.length,
    metrics: Object.fromEntries(metricNames.map((m) => [m, stat(metricValues(ok, m)).mean ?? NaN])),
    metricsCi95: Object.fromEntries(
      metricNames.flatMap((m) => {
        const values = metricValues(ok, m);
        return values.length < 2 ? [] : [[m, (1.96 * stat(values).std!) / Math.sqrt(values.length)]];
      }),
    ),
    runs: chosen,
  };
}

export function summarize(records: RunRecord[]): TaskSummary[] {
  const tasks = [...new Set(records.map((r) => r.task))];
  return tasks.map((task) => {
    const ofTask = records.filter((r) => r.task === task);
    const names = [...new Set(ofTask.map((r) => r.optimizer))];
    const summaries = names.map((name) => summarizeOptimizer(name, ofTask.filter((r) => r.optimizer === name)));
    // Rank by the tuning criterion itself, so an optimizer that diverged on some seeds ranks behind one that never did.
    const order = [...summaries].sort((a, b) => {
      const [fa, aa] = score(a.runs);
      const [fb, ab] = score(b.runs);
      return fa !== fb ? (fa < fb ? -1 : 1) : aa - ab || 0;
    });
    return { task, optimizers: order.map((s, i) => ({ ...s, rank: i + 1 })) };
  });
}
