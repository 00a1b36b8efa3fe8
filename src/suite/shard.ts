/**
 * Shards for batch schedulers (a Slurm job array, a Kubernetes Indexed Job): shard
 * i of N runs every N-th group of the full plan, starting at the i-th. The plan is
 * made without looking at finished runs, so a shard is the same set of runs on
 * every machine and on a resumed attempt; `alphaopt merge` joins the shards' folders.
 */
import type { Suite } from './decode.js';
import { runKey } from './record.js';
import { planGroups, type Group } from './plan.js';

/** Shard `index` of `count`, counted from 0 (as SLURM_ARRAY_TASK_ID with --array=0-(N-1) and JOB_COMPLETION_INDEX are). */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match === null ? NaN : Number(match[1]);
  const count = match === null ? NaN : Number(match[2]);
  if (!(count >= 1 && index >= 0 && index < count)) {
    throw new Error(`--shard must be i/N with N ≥ 1 and 0 ≤ i < N, shards counted from 0 (got '${text}'; e.g. --shard 0/4 … --shard 3/4)`);
  }
  return { index, count };
}

export function shardGroups(suite: Suite, seeds: number, shard: Shard, done: Set<string>): Group[] {
  // Rows, not whole groups, are dealt out (every N-th row of each task × optimizer, offset per group so small groups
  // spread over shards too): planned groups are whole task × optimizer pairs, fewer than the shards of a big suite.
  return planGroups(suite, seeds, new Set())
    .map((group, g) => ({ ...group, rows: group.rows.filter((_, j) => (g + j) % shard.count === shard.index) }))
    .map((group) => ({ ...group, rows: group.rows.filter((row) => !done.has(runKey({ task: group.task.id, optimizer: group.optimizer.name, hparams: row.hparams, seed: row.seed, steps: suite.steps }))) }))
    .filter((group) => group.rows.length > 0);
}
