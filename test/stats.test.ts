/**
 * The report's statistics on small inputs with known answers. Reference values
 * for the paired tests were computed with scipy 1.17 (scipy.stats.wilcoxon,
 * scipy.stats.binomtest) and for the IQM with scipy.stats.trim_mean(x, 0.25).
 */
import test from 'ava';
import fc from 'fast-check';
import { rng, normals } from '../src/random.js';
import { bootstrapCi, iqm, mean, median, performanceProfiles, performanceRatios, profileCurve, profileScore, quantile, signTest, stratifiedBootstrap, wilcoxonSignedRank } from '../src/reporting/stats/index.js';

test('mean, median, quantile and IQM on known samples', (t) => {
  t.is(mean([1, 2, 3, 6]), 3);
  t.is(median([5, 1, 3]), 3);
  t.is(median([4, 1, 3, 2]), 2.5);
  t.is(quantile([1, 2, 3, 4, 5], 0.25), 2);
  // 8 values: the 2 smallest and 2 largest are cut, so the outlier 100 does not move the IQM.
  t.is(iqm([1, 2, 3, 4, 100, 7, 8, 9]), 5.5);
  t.is(iqm([5, 1, 9, 3, 7]), 5);
  // Fewer than 4 values: nothing is cut.
  t.is(iqm([1, 2, 9]), 4);
  // A diverged seed (+∞) among 4 is cut off by the IQM; the mean would be +∞.
  t.is(iqm([1, 2, 3, Infinity]), 2.5);
  t.throws(() => iqm([]), { message: /empty/ });
});

test('bootstrap intervals are deterministic for a seed and contain the point estimate', (t) => {
  const values = [0.3, 0.5, 0.9, 1.4, 0.2, 0.8, 1.1, 0.6];
  const a = bootstrapCi(values, mean, { seed: 7 });
  const b = bootstrapCi(values, mean, { seed: 7 });
  t.deepEqual(a, b);
  t.true(a.low <= a.point && a.point <= a.high);
  t.notDeepEqual(bootstrapCi(values, mean, { seed: 8 }), a);
});

test('95% bootstrap intervals of the IQM cover the true centre about 95% of the time', (t) => {
  // Symmetric synthetic distribution (normal, mean 2): the IQM estimates its centre, 2.
  // 400 repeats of 30 seeds each; a percentile-bootstrap interval with 500 resamples.
  const random = rng(12345);
  const repeats = 400;
  let covered = 0;
  for (let r = 0; r < repeats; r++) {
    const sample = Array.from(normals(random, 30), (z) => 2 + z);
    const ci = bootstrapCi(sample, iqm, { samples: 500, seed: r });
    if (ci.low <= 2 && 2 <= ci.high) covered++;
  }
  const coverage = covered / repeats;
  // Binomial sd at 0.95 over 400 repeats ≈ 0.011; the percentile bootstrap runs a little narrow at n = 30.
  t.true(coverage > 0.9 && coverage < 0.985, `coverage ${coverage}`);
});

test('the stratified bootstrap resamples each stratum on its own', (t) => {
  // Two strata with no spread inside each: every resample keeps each stratum's value, so the interval of the mean of stratum means collapses.
  const ci = stratifiedBootstrap([[1, 1, 1], [5, 5]], (s) => mean(s.map(mean)), { seed: 1, samples: 200 });
  t.deepEqual(ci, { point: 3, low: 3, high: 3 });
  // Pooled as one stratum, the same values do vary.
  const pooled = bootstrapCi([1, 1, 1, 5, 5], mean, { seed: 1, samples: 200 });
  t.true(pooled.high - pooled.low > 1);
});

test('sign test: exact binomial two-sided p-values (scipy binomtest)', (t) => {
  t.is(signTest([1, 2, 3, -1, 4, 5, 6, 7]).p, 0.0703125);
  t.is(signTest([-1, -2, -3, -4, -5]).p, 0.0625);
  // Zero differences are dropped: 3 of 10 positive.
  const r = signTest([1, 1, 1, -1, -1, -1, -1, -1, -1, -1, 0, 0]);
  t.is(r.n, 10);
  t.true(Math.abs(r.p - 0.34375) < 1e-12);
  t.is(signTest([0, 0]).p, 1);
});

test('Wilcoxon signed-rank: exact and normal-approximation p-values match scipy', (t) => {
  const exact = wilcoxonSignedRank([1.5, -0.3, 2.1, 0.8, -1.1, 3.2, 0.4, 0.9]);
  t.is(exact.method, 'exact');
  t.is(exact.statistic, 6);
  t.true(Math.abs(exact.p - 0.109375) < 1e-12);
  // Tied magnitudes: the normal approximation with the tie correction (scipy method='approx').
  const tied = wilcoxonSignedRank([1, 1, -2, 3, 3, 3, -0.5, 4, 5, 2]);
  t.is(tied.method, 'normal');
  t.is(tied.statistic, 5.5);
  t.true(Math.abs(tied.p - 0.024370603757179417) < 1e-6, `p ${tied.p}`);
  // n = 60 > 50: normal approximation.
  const large = wilcoxonSignedRank(Array.from({ length: 60 }, (_, i) => (i + 1) * (i % 3 === 0 ? -1 : 1)));
  t.is(large.statistic, 590);
  t.true(Math.abs(large.p - 0.016733071607703435) < 1e-6, `p ${large.p}`);
  // A diverged run (+∞ difference) ranks as the largest magnitude.
  t.is(wilcoxonSignedRank([Infinity, 1, 2, 3, 4, -0.5]).statistic, 1);
});

test('performance profiles: ratios to the best, the step curve and the integrated score (r_max = 4)', (t) => {
  const cost = new Map([
    ['a', new Map([['x', 10], ['y', 20], ['z', 50]])],
    ['b', new Map([['x', 30], ['y', 15], ['z', Infinity]])],
    ['c', new Map([['x', 0], ['y', 0], ['z', 1]])],
  ]);
  const ratios = performanceRatios(cost);
  t.deepEqual([...ratios.get('x')!.values()], [1, 2, 1]);
  t.deepEqual([...ratios.get('y')!.values()], [2, 1, 1]);
  t.deepEqual([...ratios.get('z')!.values()], [5, Infinity, Infinity]);
  t.deepEqual(profileCurve(ratios.get('x')!, 3, [1, 1.5, 2, 4]), [2 / 3, 2 / 3, 1, 1]);
  t.deepEqual(profileCurve(ratios.get('z')!, 3, [1, 4, 5]), [0, 0, 1 / 3]);
  // x: areas (4−1) + (4−2) + (4−1) = 8 over 3 tasks × 3 → 8/9; z: ratio 5 > 4 counts nothing.
  t.true(Math.abs(profileScore(ratios.get('x')!, 3) - 8 / 9) < 1e-12);
  t.is(profileScore(ratios.get('z')!, 3), 0);
  const profiles = performanceProfiles(cost);
  t.is(profiles.find((p) => p.optimizer === 'y')!.score, 8 / 9);
  t.is(profiles[0]!.taus[0], 1);
  t.true(Math.abs(profiles[0]!.taus.at(-1)! - 4) < 1e-12);
  t.throws(() => performanceRatios(new Map([['a', new Map([['x', -1]])]])), { message: /task 'a' has a cost of -1/ });
});

// The sort under quantile and the IQM (insertion sort for small samples, a Float64Array's sort for larger ones)
// against the array sort with a comparator it replaced: the same numbers, for both paths, with ties and ±∞.
test('quantile and IQM equal the comparator-sort definitions on samples of 1 to 80 values', (t) => {
  const reference = (values: readonly number[]) => [...values].sort((a, b) => a - b);
  const referenceIqm = (values: readonly number[]) => {
    const sorted = reference(values);
    const cut = Math.floor(sorted.length * 0.25);
    return mean(sorted.slice(cut, sorted.length - cut));
  };
  const referenceQuantile = (values: readonly number[], q: number) => {
    const sorted = reference(values);
    const at = (sorted.length - 1) * q;
    const lo = Math.floor(at);
    const hi = Math.ceil(at);
    if (lo === hi || sorted[lo] === sorted[hi]) return sorted[lo]!;
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
  };
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), fc.integer({ min: -3, max: 3 }), fc.constantFrom(Infinity, -Infinity)), { minLength: 1, maxLength: 80 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (values, q) => {
        // Without infinities of both signs the IQM's mean is a number (∞ − ∞ would be NaN on either side).
        const iqmOk = Object.is(iqm(values), referenceIqm(values)) || (iqm(values) === 0 && referenceIqm(values) === 0);
        const quantileOk = Object.is(quantile(values, q), referenceQuantile(values, q)) || (quantile(values, q) === 0 && referenceQuantile(values, q) === 0);
        return iqmOk && quantileOk;
      },
    ),
    { numRuns: 2000, seed: 17 },
  );
  // NaN has a fixed place now: last.
  t.is(quantile([Number.NaN, 3, 1, 2], 0), 1);
  t.true(Number.isNaN(quantile([Number.NaN, 3, 1, 2], 1)));
  t.true(Number.isNaN(quantile(Array.from({ length: 40 }, (_, i) => (i === 0 ? Number.NaN : i)), 1)));
  t.is(quantile(Array.from({ length: 40 }, (_, i) => (i === 0 ? Number.NaN : i)), 0), 1);
});
