/**
 * Percentile confidence intervals by the stratified bootstrap (rliable): each
 * stratum — a task's seeds — is resampled with replacement on its own, so every
 * resample keeps the design of the experiment (the same number of seeds per task),
 * and the statistic is recomputed on the resampled strata. Seeded: the same input
 * and seed give the same interval.
 */
import { rng } from '../../random.js';
import { quantile } from './centre.js';

export interface Interval {
  /** The statistic on the data itself. */
  point: number;
  low: number;
  high: number;
}

export interface BootstrapOptions {
  /** Resamples (default 2000). */
  samples?: number;
  /** Coverage (default 0.95). */
  level?: number;
  seed?: number;
}

/** `statistic` of the strata with its stratified-bootstrap percentile interval; `statistic` must not keep the arrays it is given. */
export function stratifiedBootstrap(strata: readonly (readonly number[])[], statistic: (strata: readonly (readonly number[])[]) => number, options: BootstrapOptions = {}): Interval {
  const samples = options.samples ?? 2000;
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new Error(`bootstrap: level must be in (0, 1), got ${level}`);
  if (strata.length === 0 || strata.some((s) => s.length === 0)) throw new Error('bootstrap: every stratum needs at least one value');
  const random = rng(options.seed ?? 0);
  const stats: number[] = [];
  // One buffer per stratum, refilled for every resample (the statistic reads it and keeps nothing).
  const resampled = strata.map((stratum) => new Array<number>(stratum.length));
  for (let b = 0; b < samples; b++) {
    strata.forEach((stratum, k) => {
      const into = resampled[k]!;
      for (let i = 0; i < stratum.length; i++) into[i] = stratum[Math.floor(random() * stratum.length)]!;
    });
    stats.push(statistic(resampled));
  }
  const tail = (1 - level) / 2;
  return { point: statistic(strata), low: quantile(stats, tail), high: quantile(stats, 1 - tail) };
}

/** One sample (a task's seeds) as a single stratum. */
export function bootstrapCi(values: readonly number[], statistic: (values: readonly number[]) => number, options: BootstrapOptions = {}): Interval {
  return stratifiedBootstrap([values], (strata) => statistic(strata[0]!), options);
}
