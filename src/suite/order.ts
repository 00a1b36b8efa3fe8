/**
 * The plan's order of records (task, optimizer, grid point, seed, as `planGroups`
 * lists them). Reports list tasks and optimizers in the order they first appear, so
 * records that arrive in any order (a pool, shards, a queue) are put back in this one
 * before they are written, and every way of running a suite writes the same file.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Suite } from './decode.js';
import { planGroups } from './plan.js';
import { RunRecord, runKey } from './record.js';

export function inPlanOrder(suite: Suite, records: RunRecord[]): RunRecord[] {
  // Scored seeds only: tuning seeds (100 000 up) are not in the plan, and planning up to them would plan millions of rows.
  const seeds = Math.max(suite.seeds, ...records.filter((r) => r.role !== 'tuning').map((r) => r.seed + 1));
  const position = new Map<string, number>();
  for (const group of planGroups(suite, seeds, new Set())) {
    for (const row of group.rows) position.set(runKey({ task: group.task.id, optimizer: group.optimizer.name, hparams: row.hparams, seed: row.seed, steps: suite.steps }), position.size);
  }
  // Records the plan does not know (another steps count) keep their relative order, after the rest.
  const at = (r: RunRecord) => position.get(runKey(r)) ?? Number.MAX_SAFE_INTEGER;
  return records.map((r, i) => ({ r, i })).sort((a, b) => at(a.r) - at(b.r) || a.i - b.i).map(({ r }) => r);
}

/** Rewrites a runs.jsonl in plan order, atomically (a temporary file renamed over it). Lines that are not JSON are kept, at the end. */
export async function sortRunsFile(file: string, suite: Suite): Promise<void> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  const records: RunRecord[] = [];
  const other: string[] = [];
  for (const line of lines) {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      json = undefined;
    }
    if (RunRecord.is(json)) records.push(json);
    else other.push(line);
  }
  const text = [...inPlanOrder(suite, records).map((r) => JSON.stringify(r)), ...other].map((l) => `${l}\n`).join('');
  await writeFile(`${file}.sorting`, text);
  await rename(`${file}.sorting`, file);
}
