/**
 * Reads runs.jsonl (or a gzipped copy, as large committed results are archived);
 * a malformed line is reported (with its line number), never fatal.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { RunRecord } from '../suite/record.js';

export interface Malformed {
  line: number;
  error: string;
}

export async function readRuns(file: string): Promise<{ records: RunRecord[]; malformed: Malformed[] }> {
  const bytes = await readFile(file);
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  const records: RunRecord[] = [];
  const malformed: Malformed[] = [];
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
    if (isLeft(decoded)) malformed.push({ line: i + 1, error: PathReporter.report(decoded).join('; ') });
    else records.push(decoded.right);
  });
  return { records, malformed };
}

/** DIR/runs.jsonl, or DIR/runs.jsonl.gz where a large committed result was archived. */
export function runsFile(dir: string): string {
  const plain = path.join(dir, 'runs.jsonl');
  return existsSync(plain) || !existsSync(`${plain}.gz`) ? plain : `${plain}.gz`;
}
