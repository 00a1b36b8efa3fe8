/**
 * `runs.jsonl`: one finished run per line. Each batch of records goes out in one
 * append of whole lines, so a killed process leaves at most a partial last
 * line; opening with `resume` cuts such a line off (it was not a finished run)
 * and reports the runs already done.
 */
import { appendFile, mkdir, readFile, truncate } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isRight } from '#cjs/fp-ts-either';
import { RunRecord, runKey } from './record.js';

export interface RunStore {
  file: string;
  /** Keys of the runs already recorded. */
  done: Set<string>;
  append(records: RunRecord[]): Promise<void>;
}

export class ExistingResultsError extends Error {
  constructor(readonly file: string) {
    super(`${file} already holds results; pass --resume to continue that run, or --out another directory (nothing was overwritten)`);
    this.name = 'ExistingResultsError';
  }
}

export async function openStore(dir: string, options: { resume: boolean }): Promise<RunStore> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'runs.jsonl');
  const done = new Set<string>();
  if (existsSync(file)) {
    if (!options.resume) throw new ExistingResultsError(file);
    const text = await readFile(file, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) await truncate(file, Buffer.byteLength(text.slice(0, end)));
    for (const line of text.slice(0, end).split('\n')) {
      if (line.trim() === '') continue;
      try {
        const decoded = RunRecord.decode(JSON.parse(line));
        if (isRight(decoded)) done.add(runKey(decoded.right));
      } catch {
        // A line that is not a record is left for the report to flag; it does not count as done.
      }
    }
  }
  return {
    file,
    done,
    async append(records) {
      if (records.length === 0) return;
      await appendFile(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      for (const r of records) done.add(runKey(r));
    },
  };
}
