/**
 * Performance profiles across tasks, as in MLCommons AlgoPerf (after Dolan & Moré):
 * on each task an optimizer's cost (lower is better: steps to a target, or a loss
 * above the optimum) divided by the best optimizer's cost there gives its
 * performance ratio r ≥ 1 (∞ where it failed); its profile ρ(τ) is the fraction
 * of tasks with r ≤ τ, and its score the profile's area over τ ∈ [1, r_max]
 * divided by r_max − 1 (AlgoPerf integrates to r_max = 4): 1 means best on
 * every task, 0 never within r_max× of the best.
 */

export const R_MAX = 4;

/** cost[task][optimizer]: ≥ 0, lower is better, +∞ for a failure (diverged, target never reached). */
export type CostTable = ReadonlyMap<string, ReadonlyMap<string, number>>;

/**
 * Performance ratios per optimizer and task. A task's best cost of 0 gives r = 1
 * to every optimizer at 0 and ∞ to the others (no finite ratio exists); a task no
 * optimizer solved gives ∞ to all.
 */
export function performanceRatios(cost: CostTable): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const [task, byOptimizer] of cost) {
    const finite = [...byOptimizer.values()].filter(Number.isFinite);
    for (const v of byOptimizer.values()) if (v < 0 || Number.isNaN(v)) throw new Error(`performance profile: task '${task}' has a cost of ${v}; costs must be ≥ 0 (or +∞ for a failure)`);
    const best = finite.length === 0 ? Infinity : Math.min(...finite);
    for (const [optimizer, v] of byOptimizer) {
      const r = !Number.isFinite(best) || !Number.isFinite(v) ? Infinity : best === 0 ? (v === 0 ? 1 : Infinity) : v / best;
      if (!out.has(optimizer)) out.set(optimizer, new Map());
      out.get(optimizer)!.set(task, r);
    }
  }
  return out;
}

/** ρ(τ) at each τ: the fraction of `tasks` on which the optimizer's ratio is ≤ τ (a task it did not run counts as failed). */
export function profileCurve(ratios: ReadonlyMap<string, number>, tasks: number, taus: readonly number[]): number[] {
  const values = [...ratios.values()];
  return taus.map((tau) => values.filter((r) => r <= tau).length / tasks);
}

/** The area under ρ over [1, rMax] divided by rMax − 1, computed exactly (ρ is a step function). */
export function profileScore(ratios: ReadonlyMap<string, number>, tasks: number, rMax = R_MAX): number {
  if (tasks === 0) return 0;
  let area = 0;
  for (const r of ratios.values()) if (r <= rMax) area += rMax - Math.max(r, 1);
  return area / (tasks * (rMax - 1));
}

/** τ from 1 to rMax in `points` log-spaced steps (profiles are read on a log axis). */
export function tauGrid(rMax = R_MAX, points = 61): number[] {
  return Array.from({ length: points }, (_, i) => rMax ** (i / (points - 1)));
}

export interface Profile {
  optimizer: string;
  taus: number[];
  rho: number[];
  score: number;
}

export function performanceProfiles(cost: CostTable, rMax = R_MAX): Profile[] {
  const ratios = performanceRatios(cost);
  const taus = tauGrid(rMax);
  return [...ratios].map(([optimizer, r]) => ({ optimizer, taus, rho: profileCurve(r, cost.size, taus), score: profileScore(r, cost.size, rMax) }));
}
