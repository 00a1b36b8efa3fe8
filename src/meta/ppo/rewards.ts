/**
 * Rewards of a rollout from its losses [T + 1][rows]. The reward of step t is
 * earned by the move from θ_t to θ_{t+1}. A row that blew up gets an extra −1 on
 * the step that blew it up (its later losses are frozen, so later rewards are 0
 * under 'delta' and 'logDelta').
 */
import type { PpoConfig } from './config.js';

export function rolloutRewards(losses: readonly number[][], diverged: ReadonlyArray<number | null>, kind: PpoConfig['reward']): number[][] {
  const first = losses[0]!;
  const scale = first.map((l) => Math.abs(l) + 1e-12);
  const log = (x: number) => Math.log(Math.max(x, 1e-12));
  return losses.slice(0, -1).map((now, t) =>
    now.map((loss, r) => {
      const next = losses[t + 1]![r]!;
      const base = kind === 'delta' ? (loss - next) / scale[r]! : kind === 'logDelta' ? log(loss) - log(next) : -next / scale[r]!;
      return diverged[r] === t + 1 ? base - 1 : base;
    }),
  );
}
