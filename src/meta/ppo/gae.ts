/**
 * Generalized advantage estimation (Schulman et al. 2016) over rollouts of equal
 * length: rewards [T][rows], values [T + 1][rows] (the last is the value after
 * the final step: 0 when the episode ends there).
 */
export function generalizedAdvantages(
  rewards: readonly number[][],
  values: readonly number[][],
  gamma: number,
  lambda: number,
): { advantages: number[][]; returns: number[][] } {
  const horizon = rewards.length;
  const rows = rewards[0]?.length ?? 0;
  const advantages = rewards.map(() => new Array<number>(rows).fill(0));
  const running = new Array<number>(rows).fill(0);
  for (let t = horizon - 1; t >= 0; t--) {
    for (let r = 0; r < rows; r++) {
      const delta = rewards[t]![r]! + gamma * values[t + 1]![r]! - values[t]![r]!;
      running[r] = delta + gamma * lambda * running[r]!;
      advantages[t]![r] = running[r]!;
    }
  }
  return { advantages, returns: advantages.map((row, t) => row.map((a, r) => a + values[t]![r]!)) };
}

/** Rescales to mean 0, standard deviation 1 (the usual PPO advantage normalisation). */
export function standardize(values: readonly number[]): number[] {
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(values.length, 1));
  return values.map((v) => (v - mean) / (std + 1e-8));
}

/** Welford's running variance: reward normalisation divides rewards by the std of all rewards seen so far. */
export class RunningStd {
  private n = 0;
  private mean = 0;
  private m2 = 0;

  push(values: readonly number[]): void {
    for (const x of values) {
      this.n += 1;
      const d = x - this.mean;
      this.mean += d / this.n;
      this.m2 += d * (x - this.mean);
    }
  }

  get std(): number {
    return this.n < 2 ? 1 : Math.sqrt(this.m2 / (this.n - 1)) || 1;
  }
}
