/** Meta-validation shared by the meta-trainers: a frozen rule runs on held-out seeds and each run gets a score. */
import * as tf from '@tensorflow/tfjs';
import type { UpdateRule } from '../rules/index.js';
import { runGroup } from '../suite/execute.js';
import type { RunRecord } from '../suite/record.js';
import type { Task } from '../tasks/types.js';
import { meanScore, type Aggregate } from './robustScore.js';

/** A run's score (lower is better); a diverged run must score +∞. */
export type RunScore = (record: RunRecord, steps: number) => number;

export const finalLossScore: RunScore = (r) => r.finalLoss ?? Infinity;

/** The mean loss over the last quarter of the run: a minibatch loss is noisy, a quarter of the run averages it out. */
export const lastQuarterScore: RunScore = (r, steps) => {
  if (r.diverged) return Infinity;
  const tail = r.losses.slice(Math.floor((3 * steps) / 4)).filter((l): l is number => l !== null);
  return tail.length === 0 ? Infinity : tail.reduce((a, b) => a + b, 0) / tail.length;
};

/** The score of `rule` over `seeds`, combined by `aggregate` (the mean by default; one batched group, rows = seeds). */
export async function validateRule(rule: UpdateRule, task: Task, seeds: number[], steps: number, score: RunScore = finalLossScore, aggregate: Aggregate = meanScore): Promise<number> {
  const records = await runGroup({
    task,
    optimizer: 'validation',
    rows: seeds.map((seed) => ({ seed, hparams: {} })),
    steps,
    backend: tf.getBackend(),
    buildRule: () => ({ rule, dispose: () => undefined }),
    trajectoryPoints: 0,
  });
  return aggregate(records.map((r) => score(r, steps)));
}
