/**
 * Where a sample sits: mean, median, quantiles and the interquartile mean (IQM).
 * The IQM is rliable's robust aggregate (Agarwal et al. 2021): the mean of the
 * middle half, less sensitive to one outlying seed than the mean and less coarse
 * than the median. Non-finite values are the caller's business (a diverged run
 * as +∞ sorts last and, in a sample of ≥ 4, is cut off by the IQM).
 */

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error('mean of an empty sample');
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Below this many values an insertion sort beats allocating a typed array to sort. */
const INSERTION_SORT_MAX = 32;

/**
 * The values in ascending order, NaN last. The report's bootstrap intervals sort ~10⁶ small samples (~2 s of a
 * 2-D report with an array's sort and a comparator call per comparison): small samples go through an insertion
 * sort, larger ones through a Float64Array's native numeric sort. Equal values are interchangeable, so every
 * statistic below is what it was with (a, b) => a − b; only NaN now has a fixed place, and −0 may change places
 * with +0.
 */
function ascending(values: readonly number[]): ArrayLike<number> {
  if (values.length > INSERTION_SORT_MAX) return Float64Array.from(values).sort();
  const sorted = values.slice();
  for (let i = 1; i < sorted.length; i++) {
    const v = sorted[i]!;
    let j = i - 1;
    // v goes before every larger value, and before every NaN when it is not NaN itself.
    while (j >= 0 && (sorted[j]! > v || (sorted[j] !== sorted[j] && v === v))) {
      sorted[j + 1] = sorted[j]!;
      j--;
    }
    sorted[j + 1] = v;
  }
  return sorted;
}

/** Linear interpolation between order statistics (numpy's default, 'linear'). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile of an empty sample');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q must be in [0, 1], got ${q}`);
  const sorted = ascending(values);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  // Equal neighbours return as they are, so ±∞ (failed runs) never become ∞ − ∞ = NaN.
  if (lo === hi || sorted[lo] === sorted[hi]) return sorted[lo]!;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export const median = (values: readonly number[]) => quantile(values, 0.5);

/**
 * Mean of the values left after cutting ⌊n/4⌋ from each end, as scipy.stats.trim_mean(x, 0.25),
 * which rliable's IQM calls: for n < 4 nothing is cut and the IQM is the mean.
 */
export function iqm(values: readonly number[]): number {
  if (values.length === 0) throw new Error('IQM of an empty sample');
  const sorted = ascending(values);
  const cut = Math.floor(sorted.length * 0.25);
  // mean()'s sum, in the same order, without copying the middle out.
  let sum = 0;
  for (let i = cut; i < sorted.length - cut; i++) sum += sorted[i]!;
  return sum / (sorted.length - 2 * cut);
}
