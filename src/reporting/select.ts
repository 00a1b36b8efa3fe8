/**
 * Choosing a grid point: the runs of one optimizer on one task grouped by their
 * hyper-parameters, and the point with the lowest mean primary metric over its
 * seeds, a diverged run counting as the worst (+∞); ties broken by mean AUC. The
 * held-out tuning in the runner and the report choose with this one function.
 */
import type { RunRecord } from '../suite/record.js';
import { badness } from './metric.js';

export const pointKey = (h: RunRecord['hparams']) => JSON.stringify(Object.keys(h).sort().map((k) => [k, h[k]]));

export function byPoint(runs: readonly RunRecord[]): Map<string, RunRecord[]> {
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) groups.set(pointKey(r.hparams), [...(groups.get(pointKey(r.hparams)) ?? []), r]);
  return groups;
}

/** An empty sample (no run yet) scores as the worst. */
const meanOf = (values: number[]) => (values.length === 0 ? Infinity : values.reduce((a, b) => a + b, 0) / values.length);

/** [mean of the primary metric's badness, mean AUC], diverged runs as +∞: lower is better, compared in order. */
export function pointScore(runs: readonly RunRecord[], metric: string): [number, number] {
  return [meanOf(runs.map((r) => badness(r, metric))), meanOf(runs.map((r) => badness(r, 'auc')))];
}

export function compareScores(a: [number, number], b: [number, number]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}

/** The best point's runs (the first of equals, in the order the points first appear). */
export function choosePoint(runs: readonly RunRecord[], metric: string): RunRecord[] {
  const points = [...byPoint(runs).values()];
  if (points.length === 0) throw new Error('choosePoint: no runs');
  return points.reduce((best, p) => (compareScores(pointScore(p, metric), pointScore(best, metric)) < 0 ? p : best));
}

/**
 * Where the chosen point sits on the edge of the values tried for a tuned key
 * (one with ≥ 2 distinct numeric values): its true optimum may lie beyond.
 */
export function gridEdges(tried: readonly RunRecord['hparams'][], chosen: RunRecord['hparams']): Array<{ key: string; side: 'low' | 'high' }> {
  const edges: Array<{ key: string; side: 'low' | 'high' }> = [];
  for (const [key, value] of Object.entries(chosen)) {
    if (typeof value !== 'number') continue;
    const values = [...new Set(tried.map((h) => h[key]).filter((v): v is number => typeof v === 'number'))];
    if (values.length < 2) continue;
    if (value === Math.min(...values)) edges.push({ key, side: 'low' });
    else if (value === Math.max(...values)) edges.push({ key, side: 'high' });
  }
  return edges;
}
