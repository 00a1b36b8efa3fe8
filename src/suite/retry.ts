/**
 * Runs a group, and when it runs out of memory anyway (the estimate is an
 * estimate), runs its rows again in halves, down to one row. Records are kept only
 * for groups that finished, so a row is recorded once whatever failed around it.
 */
import { isOutOfMemory } from './outOfMemory.js';
import type { Row } from './execute.js';
import type { Group } from './plan.js';
import type { RunRecord } from './record.js';

export { isOutOfMemory } from './outOfMemory.js';

export interface HalvingHooks {
  run(rows: Row[]): Promise<RunRecord[]>;
  /** Called with every group that finished (its records, and how many rows ran together). */
  finished(records: RunRecord[], rows: number): Promise<void>;
  /** After a failure, before the retry: e.g. restart a wasm module that trapped. */
  recover(error: unknown): Promise<void>;
  log?(line: string): void;
}

/**
 * Runs `group` in groups of at most `cap` rows, halving on out-of-memory failures.
 * Returns the size that ran last, so later groups of the same task and optimizer
 * can start there. One row that fails is an error naming the task, optimizer and size.
 */
export async function runHalvingOnFailure(group: Group, cap: number, hooks: HalvingHooks): Promise<number> {
  let size = Math.max(1, Math.min(cap, group.rows.length));
  let pending = group.rows;
  while (pending.length > 0) {
    const rows = pending.slice(0, size);
    try {
      const records = await hooks.run(rows);
      await hooks.finished(records, rows.length);
      pending = pending.slice(rows.length);
    } catch (error) {
      if (!isOutOfMemory(error)) throw error;
      await hooks.recover(error);
      const what = error instanceof Error ? error.message : String(error);
      if (rows.length === 1) {
        throw new Error(
          `${group.optimizer.name} on ${group.task.id}: a single run (${group.task.dimension.toLocaleString('en')} parameters, seed ${rows[0]!.seed}) does not fit in memory (${what}). ` +
            `The runs finished so far are kept; restrict this optimizer to smaller tasks ("tasks": [...] in the suite), or use a backend with more memory, then --resume.`,
          { cause: error },
        );
      }
      size = Math.ceil(rows.length / 2);
      hooks.log?.(`${group.optimizer.name} on ${group.task.id}: a group of ${rows.length} runs ran out of memory (${what}); retrying in groups of ${size}`);
    }
  }
  return size;
}
