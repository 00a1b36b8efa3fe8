/**
 * Per task and optimizer: the chosen grid point (by the primary metric on the
 * tuning runs when the suite tuned on held-out seeds, else on the scored runs
 * themselves; a diverged run counts as the worst, ties broken by mean AUC), its
 * statistics over the scored seeds, the paired comparison with the reference, and
 * a rank per task.
 */
import type { RunRecord } from '../suite/record.js';
import { badness, metricSpec } from './metric.js';
import { byPoint, choosePoint, compareScores, gridEdges, pointKey, pointScore } from './select.js';
import { bootstrapCi, iqm, median, signTest, wilcoxonSignedRank, type Interval } from './stats/index.js';

export interface Stat {
  mean: number | null;
  std: number | null;
}

/** How the grid point was chosen, and with what budget. */
export interface TuningSummary {
  /** 'held-out': on tuning seeds, scored on others; 'scored-seeds': on the scored seeds themselves; 'none': nothing to choose. */
  mode: 'held-out' | 'scored-seeds' | 'none';
  /** Runs spent choosing: grid points tried × seeds they ran on. */
  budget: number;
  /** Points added by bracketing (held-out tuning). */
  extended: number;
  /** Tuned keys whose chosen value is the smallest or largest tried: the optimum may lie beyond. */
  edges: Array<{ key: string; side: 'low' | 'high' }>;
}

/** The primary metric over the scored seeds, failures (diverged, never reached) counted as the worst value. */
export interface PrimaryStat {
  metric: string;
  median: number;
  /** IQM with its 95% stratified-bootstrap interval over seeds. */
  iqm: Interval;
}

/** Paired per-seed comparison with the reference on the primary metric (two-sided). */
export interface PairedTestSummary {
  reference: string;
  pairs: number;
  /** Seeds on which this optimizer did better than the reference. */
  better: number;
  /** Seeds with equal values (both failed, or exactly the same). */
  ties: number;
  wilcoxonP: number;
  signP: number;
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
  tuning: TuningSummary;
  primary?: PrimaryStat;
  paired?: PairedTestSummary;
  /** The chosen point's scored records (for plots). */
  runs: RunRecord[];
}

export interface TaskSummary {
  task: string;
  optimizers: OptimizerSummary[];
}

export interface SummaryOptions {
  /** The metric that chooses, ranks and is tested (default finalLoss). */
  metric?: string;
  /** The optimizer others are compared with seed by seed. */
  reference?: string;
  /** Bootstrap resamples and seed (defaults 2000, 0). */
  bootstrapSamples?: number;
  bootstrapSeed?: number;
}

export function stat(values: number[]): Stat {
  if (values.length === 0) return { mean: null, std: null };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = values.length < 2 ? 0 : Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
  return { mean, std };
}

const metricValues = (runs: RunRecord[], name: string) => runs.map((r) => r.metrics?.[name] ?? NaN).filter(Number.isFinite);

/** The chosen point's scored runs, how it was chosen, and the points it was chosen from. */
function choose(runs: RunRecord[], metric: string): { chosen: RunRecord[]; hparams: RunRecord['hparams']; tuning: TuningSummary; points: number } {
  const tuningRuns = runs.filter((r) => r.role === 'tuning');
  const scored = runs.filter((r) => r.role !== 'tuning');
  const source = tuningRuns.length > 0 ? tuningRuns : scored;
  const points = byPoint(source);
  const best = choosePoint(source, metric);
  const hparams = best[0]!.hparams;
  const chosen = (tuningRuns.length > 0 ? scored.filter((r) => pointKey(r.hparams) === pointKey(hparams)) : best).sort((a, b) => a.seed - b.seed);
  const mode = points.size <= 1 ? 'none' : tuningRuns.length > 0 ? 'held-out' : 'scored-seeds';
  const tried = [...points.values()].map((p) => p[0]!.hparams);
  return {
    chosen,
    hparams,
    points: points.size,
    tuning: {
      mode,
      budget: mode === 'none' ? 0 : source.length,
      extended: [...points.values()].filter((p) => (p[0]!.extension ?? 0) > 0).length,
      edges: mode === 'none' ? [] : gridEdges(tried, hparams),
    },
  };
}

/** Badness (lower is better, failure +∞) per seed. */
const perSeed = (runs: RunRecord[], metric: string) => new Map(runs.map((r) => [r.seed, badness(r, metric)]));

export function pairedTest(runs: RunRecord[], reference: RunRecord[], name: string, metric: string): PairedTestSummary | undefined {
  const ref = perSeed(reference, metric);
  // Both failed: a tie. Otherwise ±∞ differences rank as the largest.
  const differences = runs.filter((r) => ref.has(r.seed)).map((r) => {
    const a = badness(r, metric);
    const b = ref.get(r.seed)!;
    return a === b ? 0 : a - b;
  });
  if (differences.length === 0) return undefined;
  return { reference: name, pairs: differences.length, better: differences.filter((d) => d < 0).length, ties: differences.filter((d) => d === 0).length, wilcoxonP: wilcoxonSignedRank(differences).p, signP: signTest(differences).p };
}

function summarizeOptimizer(optimizer: string, runs: RunRecord[], options: SummaryOptions): Omit<OptimizerSummary, 'rank'> {
  const metric = options.metric ?? 'finalLoss';
  const { chosen, hparams, tuning, points } = choose(runs, metric);
  const ok = chosen.filter((r) => !r.diverged);
  const reached = chosen.filter((r) => r.stepsToThreshold !== null).map((r) => r.stepsToThreshold as number);
  const metricNames = [...new Set(ok.flatMap((r) => Object.keys(r.metrics ?? {})))];
  // In the metric's own units and direction, a failure as its worst value (+∞ for a loss, −∞ for an accuracy).
  const spec = metricSpec(metric);
  const values = chosen.map((r) => (spec.higherIsBetter ? -1 : 1) * badness(r, metric));
  return {
    optimizer,
    hparams,
    gridPoints: points,
    seeds: chosen.length,
    diverged: chosen.length - ok.length,
    finalLoss: stat(ok.map((r) => r.finalLoss as number)),
    bestLoss: stat(chosen.filter((r) => r.bestLoss !== null).map((r) => r.bestLoss as number)),
    auc: stat(ok.map((r) => r.auc as number)),
    stepsToThreshold: { mean: stat(reached).mean, reached: reached.length },
    wallMs: chosen.length === 0 ? NaN : chosen.reduce((a, r) => a + r.wallMs, 0) / chosen.length,
    metrics: Object.fromEntries(metricNames.map((m) => [m, stat(metricValues(ok, m)).mean ?? NaN])),
    metricsCi95: Object.fromEntries(
      metricNames.flatMap((m) => {
        const v = metricValues(ok, m);
        return v.length < 2 ? [] : [[m, (1.96 * stat(v).std!) / Math.sqrt(v.length)]];
      }),
    ),
    tuning,
    ...(values.length === 0 ? {} : { primary: { metric, median: median(values), iqm: bootstrapCi(values, iqm, { samples: options.bootstrapSamples ?? 2000, seed: options.bootstrapSeed ?? 0 }) } }),
    runs: chosen,
  };
}

export function summarize(records: RunRecord[], options: SummaryOptions = {}): TaskSummary[] {
  const metric = options.metric ?? 'finalLoss';
  const tasks = [...new Set(records.map((r) => r.task))];
  return tasks.map((task) => {
    const ofTask = records.filter((r) => r.task === task);
    const names = [...new Set(ofTask.map((r) => r.optimizer))];
    const summaries = names.map((name) => summarizeOptimizer(name, ofTask.filter((r) => r.optimizer === name), options));
    const reference = options.reference === undefined ? undefined : summaries.find((s) => s.optimizer === options.reference);
    if (reference !== undefined) {
      for (const s of summaries) {
        if (s === reference) continue;
        const paired = pairedTest(s.runs, reference.runs, reference.optimizer, metric);
        if (paired !== undefined) s.paired = paired;
      }
    }
    // Rank by the choosing criterion itself, so an optimizer that diverged on some seeds ranks behind one that never did.
    const order = [...summaries].sort((a, b) => compareScores(pointScore(a.runs, metric), pointScore(b.runs, metric)));
    return { task, optimizers: order.map((s, i) => ({ ...s, rank: i + 1 })) };
  });
}
