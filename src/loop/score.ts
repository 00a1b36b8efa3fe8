/**
 * Held-out scoring of a frozen rule, for every meta-trainer's validation: the rule
 * runs on the given seeds (one problem, rows = seeds) on the one optimizee loop and
 * each row gets a score; the result is their mean, or another aggregate (lower is better).
 */
import tf from '#tfjs';
import type { UpdateRule } from '../rules/index.js';
import type { Task } from '../tasks/types.js';
import { driveRows } from './drive.js';
import { RowCurves } from './curves.js';

/** A row's score from its recorded curve (diverged rows are frozen and score +∞). */
export type CurveScore = (curve: { losses: ReadonlyArray<number | null>; diverged: boolean }, steps: number) => number;

export const finalLossScore: CurveScore = (c, steps) => (c.diverged ? Infinity : (c.losses[steps] ?? Infinity));

/** The mean loss over the last quarter of the run: a minibatch loss is noisy, a quarter of the run averages it out. */
export const lastQuarterScore: CurveScore = (c, steps) => {
  if (c.diverged) return Infinity;
  const tail = c.losses.slice(Math.floor((3 * steps) / 4)).filter((l): l is number => l !== null);
  return tail.length === 0 ? Infinity : tail.reduce((a, b) => a + b, 0) / tail.length;
};

/**
 * The meta-objective of truncated meta-training: the mean over steps 1 … T of a
 * per-step objective of the loss rows (raw 'sum', or 'log' of the loss above the optimum).
 */
export interface ObjectiveScore {
  objective(rows: tf.Tensor1D): tf.Tensor1D;
}

export type RuleScore = CurveScore | ObjectiveScore;

/** The mean score of `rule` over `seeds`, each seed a row of one problem run for `steps` steps. */
export async function scoreRule(
  rule: UpdateRule,
  task: Task,
  seeds: readonly number[],
  steps: number,
  score: RuleScore = finalLossScore,
  /** How the rows' curve scores combine (the mean; a trainer may pass a robust one, e.g. the IQM). */
  aggregate: (scores: readonly number[]) => number = (scores) => scores.reduce((a, b) => a + b, 0) / scores.length,
): Promise<number> {
  await task.prepare?.();
  const problem = task.instantiate(seeds);
  try {
    if (typeof score === 'function') {
      const curves = new RowCurves(seeds.length);
      await driveRows({ task, problem, rule, steps, freezable: true, hooks: { onLoss: async (rows) => curves.observe(await rows.data()) } });
      const scores = curves.losses.map((losses, i) => score({ losses, diverged: curves.diverged[i]! }, steps));
      return aggregate(scores);
    }
    // The mean objective is taken on the device, per step, as the meta-gradient's objective is.
    let total = 0;
    await driveRows({
      task,
      problem,
      rule,
      steps,
      hooks: {
        onLoss: async (rows, step) => {
          if (step === 0) return;
          const term = tf.tidy(() => tf.div(tf.mean(score.objective(rows)), 1));
          total += (await term.data())[0] as number;
          term.dispose();
        },
      },
    });
    return Number.isFinite(total) ? total / steps : Infinity;
  } finally {
    problem.dispose();
  }
}
