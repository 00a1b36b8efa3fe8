/**
 * Per-task normalisation against a reference optimizer, before anything is
 * aggregated across tasks (losses on different tasks live on different scales):
 * each seed's cost divided by the reference's cost on the same task (the median
 * over its seeds), so 1 is "as good as the reference", < 1 better. rliable and
 * learned_optimization normalise alike (by a reference's score); the reference is
 * named in the report.
 */

/** value / reference; a zero reference gives 1 for a zero value and +∞ otherwise (no finite ratio exists). */
export function normaliseTo(reference: number, value: number): number {
  if (reference === 0) return value === 0 ? 1 : Infinity;
  return value / reference;
}
