/**
 * Bracketing a grid search: when the chosen point sits on the edge of the values
 * tried for a key, the optimum may lie beyond, so one more value is tried past it,
 * a log step further (the step the grid itself takes at that end), the other keys
 * held at the chosen point. Repeated after each round until the choice is
 * interior or a bound stops it: the optimizer refuses the value (a rule's momentum ≥ 1, a
 * learned kind's codec: DQN's η₀ above lrMax, …) or
 * `maxExtensions` values were added on that side. Keys whose grid has a value ≤ 0
 * are not log-spaced and are never extended (their edge is only reported).
 */
import { gridEdges } from '../../reporting/select.js';

export type Point = Record<string, number>;

export interface BracketInput {
  /** The suite's grid. */
  grid: Record<string, number[]>;
  /** Every point tried so far (grid keys only). */
  tried: readonly Point[];
  chosen: Point;
  maxExtensions: number;
  /** Whether the optimizer (a rule, or a learned kind's codec) accepts this value of this key. */
  accepts(key: string, value: number): boolean;
}

export interface BracketStep {
  /** Points to try next (none: the choice is bracketed, or every edge hit a bound). */
  points: Point[];
  /** Edges that cannot be extended, and why. */
  bounds: Array<{ key: string; side: 'low' | 'high'; reason: string }>;
}

/**
 * Three significant digits, so extended values read like the grid's (0.000316, 3.16); a value within 1% of a
 * power of ten or of 3.16 times one is that value (the grid's 0.316 × 3.16 is 0.999, meant as 1).
 */
export function tidy(x: number): number {
  const exponent = Math.floor(Math.log10(x));
  const mantissa = x / 10 ** exponent;
  for (const nice of [1, 3.16, 10]) if (Math.abs(mantissa / nice - 1) < 0.01) return Number.parseFloat((nice * 10 ** exponent).toPrecision(3));
  return Number.parseFloat(x.toPrecision(3));
}

export function bracketStep(input: BracketInput): BracketStep {
  const points: Point[] = [];
  const bounds: BracketStep['bounds'] = [];
  for (const { key, side } of gridEdges(input.tried, input.chosen)) {
    const original = [...new Set(input.grid[key] ?? [])].sort((a, b) => a - b);
    if (original.length < 2) continue;
    if (original[0]! <= 0) {
      bounds.push({ key, side, reason: 'not a log-spaced grid (a value ≤ 0)' });
      continue;
    }
    const ratio = side === 'low' ? original[1]! / original[0]! : original.at(-1)! / original.at(-2)!;
    const added = new Set(input.tried.map((p) => p[key]!).filter((v) => (side === 'low' ? v < original[0]! : v > original.at(-1)!))).size;
    if (added >= input.maxExtensions) {
      bounds.push({ key, side, reason: `${added} values added past the grid (maxExtensions)` });
      continue;
    }
    const value = tidy(side === 'low' ? input.chosen[key]! / ratio : input.chosen[key]! * ratio);
    if (!input.accepts(key, value)) {
      bounds.push({ key, side, reason: `the optimizer does not accept ${key} = ${value}` });
      continue;
    }
    points.push({ ...input.chosen, [key]: value });
  }
  return { points, bounds };
}
