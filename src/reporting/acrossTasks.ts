/**
 * Across tasks, on the primary metric: AlgoPerf-style performance profiles (each
 * optimizer's median cost over seeds against the best optimizer's, per task) with
 * their integrated score, and rliable's IQM of per-seed costs normalised by the
 * reference optimizer's median on the same task, with a 95% interval from the
 * bootstrap stratified by task. Tasks where the metric has no cost ≥ 0 (a loss
 * unbounded below) or the reference failed are left out, and listed.
 */
import { cost } from './metric.js';
import { iqm, median, normaliseTo, performanceProfiles, R_MAX, stratifiedBootstrap, type Interval, type Profile } from './stats/index.js';
import type { TaskSummary } from './summarize.js';

export interface AcrossTasks {
  metric: string;
  reference?: string;
  /** Tasks in the profiles. */
  tasks: string[];
  excluded: Array<{ task: string; reason: string }>;
  profiles: Profile[];
  /** Fraction of tasks within 1× and 2× of the best, per optimizer. */
  within: Map<string, { best: number; twice: number }>;
  /** IQM of cost ÷ the reference's median cost, over every (task, seed), with its interval. */
  normalised: Map<string, Interval>;
  normalisedTasks: string[];
}

export function acrossTasks(summary: TaskSummary[], options: { metric?: string; reference?: string; bootstrapSeed?: number; bootstrapSamples?: number } = {}): AcrossTasks {
  const metric = options.metric ?? 'finalLoss';
  const excluded: AcrossTasks['excluded'] = [];
  const costs = new Map<string, Map<string, number>>();
  const perSeed = new Map<string, Map<string, number[]>>();
  for (const task of summary) {
    const byOptimizer = new Map<string, number[]>();
    let undefinedCost = false;
    for (const o of task.optimizers) {
      const values = o.runs.map((r) => cost(r, metric));
      if (values.some((v) => v === undefined)) undefinedCost = true;
      if (values.length > 0) byOptimizer.set(o.optimizer, values as number[]);
    }
    if (undefinedCost) {
      excluded.push({ task: task.task, reason: `${metric} below the task's known floor (unbounded below): no cost ≥ 0` });
      continue;
    }
    costs.set(task.task, new Map([...byOptimizer].map(([o, v]) => [o, median(v)])));
    perSeed.set(task.task, byOptimizer);
  }
  const profiles = costs.size === 0 ? [] : performanceProfiles(costs, R_MAX);
  const within = new Map(profiles.map((p) => [p.optimizer, { best: p.rho[0]!, twice: p.rho[p.taus.findIndex((tau) => tau >= 2 - 1e-9)]! }]));
  const normalised = new Map<string, Interval>();
  const normalisedTasks: string[] = [];
  if (options.reference !== undefined) {
    const strataOf = new Map<string, number[][]>();
    for (const [task, byOptimizer] of perSeed) {
      const ref = byOptimizer.get(options.reference);
      const refMedian = ref === undefined ? Infinity : median(ref);
      if (!Number.isFinite(refMedian)) {
        excluded.push({ task, reason: ref === undefined ? `the reference ${options.reference} did not run` : `the reference ${options.reference} failed (median ${metric} not finite): nothing to normalise by` });
        continue;
      }
      normalisedTasks.push(task);
      for (const [optimizer, values] of byOptimizer) strataOf.set(optimizer, [...(strataOf.get(optimizer) ?? []), values.map((v) => normaliseTo(refMedian, v))]);
    }
    for (const [optimizer, strata] of strataOf) {
      normalised.set(optimizer, stratifiedBootstrap(strata, (s) => iqm(s.flat()), { seed: options.bootstrapSeed ?? 0, samples: options.bootstrapSamples ?? 2000 }));
    }
  }
  return { metric, ...(options.reference === undefined ? {} : { reference: options.reference }), tasks: [...costs.keys()], excluded, profiles, within, normalised, normalisedTasks };
}
