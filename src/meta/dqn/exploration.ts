/** ε-greedy exploration with a linear decay: ε goes from `start` to `end` over `decaySteps` environment steps, then stays. */
export interface EpsilonSchedule {
  epsilonStart: number;
  epsilonEnd: number;
  epsilonDecaySteps: number;
}

export function epsilonAt(step: number, schedule: EpsilonSchedule): number {
  const progress = Math.min(1, Math.max(0, step / schedule.epsilonDecaySteps));
  return schedule.epsilonStart + (schedule.epsilonEnd - schedule.epsilonStart) * progress;
}

/** Index of the largest of `values[offset … offset + count)` (the first one on ties). */
export function argMax(values: ArrayLike<number>, offset: number, count: number): number {
  let best = 0;
  for (let a = 1; a < count; a++) if ((values[offset + a] as number) > (values[offset + best] as number)) best = a;
  return best;
}

/** ε-greedy: a uniformly random action with probability ε, else the greedy one. */
export function epsilonGreedy(qValues: ArrayLike<number>, offset: number, count: number, epsilon: number, random: () => number): number {
  if (random() < epsilon) return Math.min(count - 1, Math.floor(random() * count));
  return argMax(qValues, offset, count);
}
