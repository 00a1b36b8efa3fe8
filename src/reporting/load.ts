/**
 * Reads runs.jsonl (or a gzipped copy, as large committed results are archived);
 * a malformed line is reported (with its line number), never fatal.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { RunRecord } from '../suite/record.js';
import { parseRuns, type Malformed } from './parseRuns.js';

export type { Malformed } from './parseRuns.js';

export async function readRuns(file: string): Promise<{ records: RunRecord[]; malformed: Malformed[] }> {
  const bytes = await readFile(file);
  return parseRuns((bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8'));
}

/** DIR/runs.jsonl, or DIR/runs.jsonl.gz where a large committed result was archived. */
export function runsFile(dir: string): string {
  const plain = path.join(dir, 'runs.jsonl');
  return existsSync(plain) || !existsSync(`${plain}.gz`) ? plain : `${plain}.gz`;
}
