/**
 * The text of a runs.jsonl → records; a malformed line is reported (with its line
 * number and one short line naming the field), never fatal, and a run recorded twice
 * (same run key) counts once. No file system: the CLI reads the file, the browser's
 * results explorer a fetched or picked one.
 */
import { isLeft } from '#cjs/fp-ts-either';
import { describeErrors } from '../codec/errors.js';
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

export function parseRuns(text: string): Runs {
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
