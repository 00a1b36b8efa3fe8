/**
 * A grid on a learned optimizer: its deployment options (kinds.ts), the ones a trained
 * optimizer can run with at other values without meta-training again (an initial
 * learning rate, an output scale), tuned like a rule's options (plan.ts, tuning/). The
 * kind's own codec says which values it accepts, here, at the start, and when
 * bracketing asks for one past the grid's edge. φ is meta-trained once per entry;
 * each grid point runs a copy of it with that point's options (groupRule.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeOrThrow, problemsOf } from '../codec/decode.js';
import { learnedKind } from '../learned/index.js';
import { decodeManifest } from '../learned/manifest.js';
import type { JsonValue } from '../learned/types.js';
import type { Row } from './execute.js';

const PREFIX = 'learned';

/** The options of `kind` as decoded from `hyperParams` (defaults filled in), or the codec's problems. */
function decode(kind: string, hyperParams: Record<string, JsonValue>): { options: Record<string, unknown> } | { problems: string[] } {
  try {
    return { options: decodeOrThrow(learnedKind(kind).options, hyperParams, PREFIX) as Record<string, unknown> };
  } catch (error) {
    return { problems: problemsOf(error) };
  }
}

/** The options of `kind` that a grid may tune in `mode`, given its other options. */
export function deploymentOptions(kind: string, hyperParams: Record<string, JsonValue>, mode: 'frozen' | 'online'): string[] {
  const decoded = decode(kind, hyperParams);
  const definition = learnedKind(kind);
  return 'options' in decoded && definition.deployment !== undefined ? [...definition.deployment(decoded.options as never, mode)] : [];
}

/** Whether the kind's codec accepts `key = value` with these other options (bracketing's bound). */
export function acceptsLearnedOption(kind: string, hyperParams: Record<string, JsonValue>, key: string, value: number): boolean {
  return 'options' in decode(kind, { ...hyperParams, [key]: value });
}

/**
 * The options a grid's points are applied over: a checkpoint's, which the runs load, when one of this kind is there
 * to read (its manifest alone), else the suite's `hyperParams` (meta-training creates the optimizer from them).
 */
export function gridBase(kind: string, hyperParams: Record<string, JsonValue>, checkpoint: string | undefined): Record<string, JsonValue> {
  const file = checkpoint === undefined ? undefined : path.join(checkpoint, 'manifest.json');
  if (file === undefined || !existsSync(file)) return hyperParams;
  try {
    const manifest = decodeManifest(JSON.parse(readFileSync(file, 'utf8')), file);
    return manifest.kind === kind ? manifest.hyperParams : hyperParams;
  } catch {
    return hyperParams; // a damaged checkpoint is refused at the start, with its own message
  }
}

const MOST_PROBLEMS = 5;

/**
 * The problems of a learned entry's grid, each at its JSON path (`at` is the optimizer entry's): every key must be a
 * deployment option of the kind in this mode, and every grid point must decode with the kind's codec over
 * `hyperParams` (the suite's, or a loaded checkpoint's).
 */
export function learnedGridProblems(kind: string, hyperParams: Record<string, JsonValue>, mode: 'frozen' | 'online', grid: Record<string, number[]>, at: string): string[] {
  const decoded = decode(kind, hyperParams);
  if (!('options' in decoded)) return []; // the options themselves are wrong: reported at learned.hyperParams
  const tunable = deploymentOptions(kind, hyperParams, mode);
  const known = Object.keys(decoded.options);
  const listed = tunable.length === 0 ? `a ${mode} '${kind}' has none` : `a ${mode} '${kind}' has ${tunable.join(', ')}`;
  const problems: string[] = [];
  for (const [key, values] of Object.entries(grid)) {
    if (values.length === 0) problems.push(`${at}.grid.${key}: expected at least one value`);
    else if (!known.includes(key)) problems.push(`${at}.grid.${key}: '${kind}' has no option '${key}'; a learned optimizer's grid tunes its deployment options (${listed})`);
    else if (!tunable.includes(key)) {
      problems.push(`${at}.grid.${key}: '${key}' is not a deployment option: the meta-parameters were trained for one value of it (to compare values, give one learned entry per value, with ${key} in learned.hyperParams); deployment options: ${listed}`);
    }
  }
  if (problems.length > 0) return problems;
  // Every point, not each value alone: options are checked together (DQN's η₀ must lie in [lrMin, lrMax]).
  const keys = Object.keys(grid);
  const seen = new Set<string>();
  const points = keys.reduce<Array<Record<string, number>>>((acc, key) => acc.flatMap((p) => grid[key]!.map((v) => ({ ...p, [key]: v }))), [{}]);
  for (const point of points) {
    const result = decode(kind, { ...hyperParams, ...point });
    if ('options' in result) continue;
    for (const problem of result.problems) {
      const split = problem.indexOf(': ');
      const option = problem.startsWith(`${PREFIX}.`) && split > 0 ? problem.slice(PREFIX.length + 1, split) : '';
      const message = split > 0 ? problem.slice(split + 2) : problem;
      // At the grid value the problem is about; with the point's other values when the grid has several keys.
      const where = option in point ? `${at}.grid.${option}[${grid[option]!.indexOf(point[option]!)}]` : `${at}.grid`;
      const others = keys.filter((k) => k !== option).map((k) => `${k} = ${point[k]}`);
      const line = `${where}: ${option in point ? '' : `${option || kind}: `}${message}${others.length > 0 ? ` (with ${others.join(', ')})` : ''}`;
      if (!seen.has(line)) problems.push(line);
      seen.add(line);
    }
  }
  return problems.length > MOST_PROBLEMS ? [...problems.slice(0, MOST_PROBLEMS), `${at}.grid: and ${problems.length - MOST_PROBLEMS} more problems like these`] : problems;
}

/** The grid point these rows share (a learned optimizer's options are one value per group, not per row). */
export function sharedPoint(grid: Record<string, number[]>, name: string, rows: readonly Row[]): Record<string, number> {
  const keys = Object.keys(grid);
  const point = Object.fromEntries(keys.map((k) => [k, rows[0]?.hparams[k] as number]));
  if (rows.some((r) => keys.some((k) => r.hparams[k] !== point[k]))) throw new Error(`${name}: rows of one group must share a grid point (a learned optimizer's options are not per-row); plan them with groupsOf`);
  return point;
}
