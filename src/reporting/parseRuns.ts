/**
 * The text of a runs.jsonl → records; a malformed line is reported (with its line
 * number), never fatal. No file system: the CLI reads the file, the browser's
 * results explorer a fetched or picked one.
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { RunRecord } from '../suite/record.js';

export interface Malformed {
  line: number;
  error: string;
}

export function parseRuns(text: string): { records: RunRecord[]; malformed: Malformed[] } {
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
