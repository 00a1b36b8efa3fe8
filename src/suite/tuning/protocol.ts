/**
 * How a suite chooses its optimizers' grid points — baselines' options, learned
 * optimizers' deployment options (suite/learnedGrid.ts) — (DeepOBS, AlgoPerf: tune
 * on held-out runs, state the budget, score on fresh seeds):
 * - `held-out`: every grid point runs on `seeds` tuning seeds (100 000, 100 001, …,
 *   disjoint from the scored seeds 0, 1, … and from meta-training's 10⁶ up); the
 *   point with the best mean primary metric is then run, alone, on the scored
 *   seeds. With `bracket` (default on), a point on the grid's edge extends the grid
 *   in log steps until it is interior or a bound is hit (the option's range, as the
 *   rule or the learned kind's codec declares it, or `maxExtensions` steps per
 *   side, default 3).
 * - `scored-seeds`: every grid point runs on the scored seeds and the best is
 *   reported on the same seeds (optimistic for tuned baselines; what the papers we
 *   reproduce did). The default, so older suites keep their meaning; the report
 *   says which mode produced it.
 */
import type { ReportProtocol } from '../../reporting/protocol.js';
import type { SuiteFile } from '../schema.js';

export const TUNING_SEED_BASE = 100_000;

export type TuningPlan =
  | { mode: 'scored-seeds' }
  | { mode: 'held-out'; seeds: number; bracket: boolean; maxExtensions: number };

export function tuningSeeds(plan: TuningPlan): number[] {
  return plan.mode === 'held-out' ? Array.from({ length: plan.seeds }, (_, i) => TUNING_SEED_BASE + i) : [];
}

export function tuningPlan(raw: SuiteFile['tuning']): TuningPlan {
  if (raw === undefined || raw.mode === 'scored-seeds') return { mode: 'scored-seeds' };
  return { mode: 'held-out', seeds: raw.seeds ?? 3, bracket: raw.bracket ?? true, maxExtensions: raw.maxExtensions ?? 3 };
}

/** Checks that need the whole suite: tuning and scored seeds stay disjoint, the reference names an optimizer. */
export function checkTuning(suite: Pick<SuiteFile, 'seeds' | 'tuning' | 'reference'>, optimizerNames: string[], problems: string[]): void {
  if (suite.tuning?.mode === 'held-out' && suite.seeds > TUNING_SEED_BASE) problems.push(`$.seeds: at most ${TUNING_SEED_BASE} scored seeds with held-out tuning (tuning seeds start at ${TUNING_SEED_BASE}), got ${suite.seeds}`);
  if (suite.tuning?.mode === 'scored-seeds' && (suite.tuning.seeds !== undefined || suite.tuning.bracket !== undefined || suite.tuning.maxExtensions !== undefined)) {
    problems.push(`$.tuning: 'seeds', 'bracket' and 'maxExtensions' apply to mode 'held-out' only; mode 'scored-seeds' tunes on the scored seeds`);
  }
  if (suite.reference !== undefined && !optimizerNames.includes(suite.reference)) problems.push(`$.reference: no optimizer is named '${suite.reference}'; the suite's optimizers are ${optimizerNames.join(', ')}`);
}

/** The named reference, or `adam` when the suite has an optimizer of that name. */
export function referenceOf(reference: string | undefined, optimizers: ReadonlyArray<{ name: string }>): { reference?: string } {
  if (reference !== undefined) return { reference };
  return optimizers.some((o) => o.name === 'adam') ? { reference: 'adam' } : {};
}

/** What the report needs to know of the suite's protocol: its primary metric (`metrics[0]`), reference and tuning declaration. */
export function reportProtocolOf(suite: { metrics: string[]; reference?: string; tuning: TuningPlan }): ReportProtocol {
  return {
    metric: suite.metrics[0] ?? 'finalLoss',
    ...(suite.reference === undefined ? {} : { reference: suite.reference }),
    tuning: suite.tuning,
  };
}
