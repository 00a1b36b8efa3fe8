/**
 * Paired comparison with a reference optimizer (Adam by default): per seed, the
 * ratio of the two chosen grid points' costs on the suite's primary metric (a
 * loss above the task's optimum, 1 − accuracy, steps…; see metric.ts), summarised
 * by its median, quartiles and win count — the spread a mean ± std hides.
 */
import { cost } from './metric.js';
import type { TaskSummary } from './summarize.js';

export interface PairedRatio {
  optimizer: string;
  median: number;
  q1: number;
  q3: number;
  wins: number;
  pairs: number;
}

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export function pairedRatios(task: TaskSummary, reference: string, metric = 'finalLoss'): PairedRatio[] {
  const ref = task.optimizers.find((o) => o.optimizer === reference);
  if (ref === undefined) return [];
  // Seeds where the reference failed or sits at the optimum (cost 0) give no ratio.
  const refBySeed = new Map(
    ref.runs.flatMap((r) => {
      const c = cost(r, metric);
      return c !== undefined && Number.isFinite(c) && c > 0 ? [[r.seed, c] as const] : [];
    }),
  );
  return task.optimizers
    .filter((o) => o.optimizer !== reference)
    .map((o) => {
      // A failed run (diverged, never reached) counts as an infinitely worse ratio (it lost that seed).
      const ratios = o.runs
        .filter((r) => refBySeed.has(r.seed))
        .flatMap((r) => {
          const c = cost(r, metric);
          return c === undefined ? [] : [c / refBySeed.get(r.seed)!];
        })
        .sort((a, b) => a - b);
      if (ratios.length === 0) return undefined;
      return { optimizer: o.optimizer, median: quantile(ratios, 0.5), q1: quantile(ratios, 0.25), q3: quantile(ratios, 0.75), wins: ratios.filter((x) => x < 1).length, pairs: ratios.length };
    })
    .filter((p): p is PairedRatio => p !== undefined);
}
