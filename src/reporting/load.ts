/**
 * Reads runs.jsonl (or a gzipped copy, as large committed results are archived);
 * a malformed line is reported (with its line number and, for a record of the
 * wrong shape, the field), never fatal. A run recorded twice (same run key) is
 * counted once: the first record is kept, the others are reported as duplicates.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isLeft } from 'fp-ts/lib/Either.js';
import { describeErrors } from '../suite/errors.js';
import { RunRecord, runKey } from '../suite/record.js';

export interface Malformed {
  line: number;
  error: string;
}

export interface Runs {
  records: RunRecord[];
  malformed: Malformed[];
  /** Line numbers of records whose run key an earlier line already had (dropped). */
  duplicates: number[];
}

export async function readRuns(file: string): Promise<Runs> {
  const bytes = await readFile(file);
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  const records: RunRecord[] = [];
  const malformed: Malformed[] = [];
  const duplicates: number[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      malformed.push({ line: i + 1, error: `not JSON: ${(error as Error).message}` });
      return;
    }
    const decoded = RunRecord.decode(json);
    if (isLeft(decoded)) {
      const problems = describeErrors(decoded.left);
      malformed.push({ line: i + 1, error: `not a run record: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}` });
      return;
    }
    const key = runKey(decoded.right);
    if (seen.has(key)) {
      duplicates.push(i + 1);
      return;
    }
    seen.add(key);
    records.push(decoded.right);
  });
  return { records, malformed, duplicates };
}

/** DIR/runs.jsonl, or DIR/runs.jsonl.gz where a large committed result was archived. */
export function runsFile(dir: string): string {
  const plain = path.join(dir, 'runs.jsonl');
  return existsSync(plain) || !existsSync(`${plain}.gz`) ? plain : `${plain}.gz`;
}
