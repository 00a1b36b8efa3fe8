/**
 * Combining the validation scores of several seeds. The mean lets one diverged seed (+∞) or one lucky start
 * decide which snapshot is kept; the interquartile mean (rliable's IQM: the mean of the middle half, a quarter
 * trimmed from each end, fractional end points weighted) does not.
 */
export type Aggregate = (scores: readonly number[]) => number;

export const meanScore: Aggregate = (scores) => scores.reduce((a, b) => a + b, 0) / scores.length;

export const interquartileMean: Aggregate = (scores) => {
  if (scores.length === 0) return NaN;
  const sorted = [...scores].sort((a, b) => a - b);
  const n = sorted.length;
  const lo = n / 4;
  const hi = (3 * n) / 4;
  let sum = 0;
  let weight = 0;
  for (let i = Math.floor(lo); i < Math.ceil(hi); i++) {
    // The share of item i's unit interval [i, i + 1) that lies inside [n/4, 3n/4).
    const w = Math.min(i + 1, hi) - Math.max(i, lo);
    if (w <= 0) continue;
    sum += w * sorted[i]!;
    weight += w;
  }
  return sum / weight;
};
