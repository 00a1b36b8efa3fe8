/**
 * Paired comparison with a reference optimizer (Adam by default): per seed, the
 * ratio of final losses of the two chosen grid points, summarised by its median,
 * quartiles and win count — the spread a mean ± std hides.
 */
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

export function pairedRatios(task: TaskSummary, reference: string): PairedRatio[] {
  const ref = task.optimizers.find((o) => o.optimizer === reference);
  if (ref === undefined) return [];
  const refBySeed = new Map(ref.runs.filter((r) => !r.diverged && r.finalLoss !== null).map((r) => [r.seed, r.finalLoss as number]));
  return task.optimizers
    .filter((o) => o.optimizer !== reference)
    .map((o) => {
      // A diverged run counts as an infinitely worse ratio (it lost that seed).
      const ratios = o.runs
        .filter((r) => refBySeed.has(r.seed) && refBySeed.get(r.seed)! > 0)
        .map((r) => (r.diverged || r.finalLoss === null ? Infinity : r.finalLoss / refBySeed.get(r.seed)!))
        .sort((a, b) => a - b);
      if (ratios.length === 0) return undefined;
      return { optimizer: o.optimizer, median: quantile(ratios, 0.5), q1: quantile(ratios, 0.25), q3: quantile(ratios, 0.75), wins: ratios.filter((x) => x < 1).length, pairs: ratios.length };
    })
    .filter((p): p is PairedRatio => p !== undefined);
}
