/**
 * Each row's loss curve as runs record it, and divergence: a loss above
 * factor × max(|initial loss|, 1), or NaN/Inf, marks a row diverged; its later
 * losses are null. The suite's records and held-out scoring read curves alike.
 */

/** Records keep 6 significant digits: float32 carries about 7, and runs.jsonl stays small enough to commit. */
export function round(x: number): number {
  return Number.parseFloat(x.toPrecision(6));
}

export class RowCurves {
  readonly losses: Array<Array<number | null>>;
  readonly diverged: boolean[];

  constructor(rows: number, private readonly factor = 1e6) {
    this.losses = Array.from({ length: rows }, () => []);
    this.diverged = Array.from({ length: rows }, () => false);
  }

  /** Appends one step's losses; returns the rows to freeze when one diverged at this step. */
  observe(values: ArrayLike<number>): boolean[] | undefined {
    let changed = false;
    this.losses.forEach((curve, i) => {
      if (this.diverged[i]) {
        curve.push(null);
        return;
      }
      const loss = values[i] as number;
      const limit = this.factor * Math.max(Math.abs(curve[0] ?? loss), 1);
      if (!Number.isFinite(loss) || loss > limit) {
        this.diverged[i] = true;
        curve.push(null);
        changed = true;
        return;
      }
      curve.push(round(loss));
    });
    return changed ? [...this.diverged] : undefined;
  }
}
