/**
 * The exact two-sided sign test on paired differences (a − b per seed): under the
 * null each non-zero difference is positive with probability ½; ties (zero
 * differences) carry no sign and are dropped.
 */

export interface PairedTest {
  /** Non-zero differences used. */
  n: number;
  /** Two-sided p-value; 1 when n = 0. */
  p: number;
}

/** log C(n, k). */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** P(X ≤ k) for X ~ Binomial(n, ½). */
export function binomialHalfCdf(k: number, n: number): number {
  let total = 0;
  for (let i = 0; i <= k; i++) total += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, total);
}

export function signTest(differences: readonly number[]): PairedTest & { positive: number } {
  const nonZero = differences.filter((d) => d !== 0 && !Number.isNaN(d));
  const n = nonZero.length;
  const positive = nonZero.filter((d) => d > 0).length;
  if (n === 0) return { n, positive, p: 1 };
  const k = Math.min(positive, n - positive);
  return { n, positive, p: Math.min(1, 2 * binomialHalfCdf(k, n)) };
}
