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
import { parseRuns, type Runs } from './parseRuns.js';

export type { Malformed, Runs } from './parseRuns.js';

export async function readRuns(file: string): Promise<Runs> {
  const bytes = await readFile(file);
  return parseRuns((bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8'));
}

/** DIR/runs.jsonl, or DIR/runs.jsonl.gz where a large committed result was archived. */
export function runsFile(dir: string): string {
  const plain = path.join(dir, 'runs.jsonl');
  return existsSync(plain) || !existsSync(`${plain}.gz`) ? plain : `${plain}.gz`;
}
