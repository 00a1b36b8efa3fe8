/**
 * The Wilcoxon signed-rank test on paired differences, two-sided, as
 * scipy.stats.wilcoxon's defaults: zero differences dropped, tied magnitudes given
 * their mean rank, the exact null distribution when n ≤ 50 and no magnitudes tie,
 * else the normal approximation with the tie correction (no continuity correction).
 * ±∞ differences (a diverged run against a finite one) rank as the largest.
 */
import type { PairedTest } from './signTest.js';

/** Ranks 1…n of `values` (ascending), ties at their mean rank; and whether any tied. */
function ranks(values: readonly number[]): { ranks: number[]; tieGroups: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || 0);
  const out = new Array<number>(values.length);
  const tieGroups: number[] = [];
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) out[order[k]![1]] = rank;
    if (j > i) tieGroups.push(j - i + 1);
    i = j + 1;
  }
  return { ranks: out, tieGroups };
}

/** Counts of each signed-rank sum 0…n(n+1)/2 over the 2ⁿ sign patterns (ranks 1…n). */
function exactCounts(n: number): number[] {
  const max = (n * (n + 1)) / 2;
  let counts = new Array<number>(max + 1).fill(0);
  counts[0] = 1;
  for (let r = 1; r <= n; r++) {
    const next = [...counts];
    for (let s = r; s <= max; s++) next[s]! += counts[s - r]!;
    counts = next;
  }
  return counts;
}

/** Φ, the standard normal CDF (Abramowitz–Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - (((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t) * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export function wilcoxonSignedRank(differences: readonly number[]): PairedTest & { statistic: number; method: 'exact' | 'normal' } {
  const nonZero = differences.filter((d) => d !== 0 && !Number.isNaN(d));
  const n = nonZero.length;
  if (n === 0) return { n, p: 1, statistic: 0, method: 'exact' };
  const { ranks: r, tieGroups } = ranks(nonZero.map(Math.abs));
  const plus = nonZero.reduce((s, d, i) => (d > 0 ? s + r[i]! : s), 0);
  const minus = (n * (n + 1)) / 2 - plus;
  const statistic = Math.min(plus, minus);
  if (n <= 50 && tieGroups.length === 0) {
    const counts = exactCounts(n);
    const total = 2 ** n;
    let below = 0;
    for (let s = 0; s <= statistic; s++) below += counts[s]!;
    return { n, p: Math.min(1, (2 * below) / total), statistic, method: 'exact' };
  }
  const meanT = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieGroups.reduce((s, t) => s + t * t * t - t, 0) / 48;
  const z = (statistic - meanT) / Math.sqrt(variance);
  return { n, p: Math.min(1, 2 * normalCdf(z)), statistic, method: 'normal' };
}
