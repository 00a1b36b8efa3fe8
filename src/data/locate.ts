/**
 * Where datasets live: `--data-dir` (the `dataDir` option of the API), then
 * $ALPHAOPT_DATA, then the user cache ($XDG_CACHE_HOME/alphaopt/datasets or
 * ~/.cache/alphaopt/datasets; downloads go there) — the documented places only,
 * never a path resolved from the current directory. A dataset is found in the
 * first directory that holds all of its files.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { datasetEntry, type DatasetEntry } from './catalog.js';

export function cacheDirectory(): string {
  const base = process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  return path.join(base, 'alphaopt', 'datasets');
}

export function dataDirectories(explicit?: string): string[] {
  const dirs = [explicit, process.env['ALPHAOPT_DATA'], cacheDirectory()];
  return [...new Set(dirs.filter((d): d is string => d !== undefined && d !== ''))];
}

/** The files of `entry` present in `dir` (first alternative that exists), and the requirements that are not. */
export function inspect(entry: DatasetEntry, dir: string): { found: string[]; missing: string[][] } {
  const found: string[] = [];
  const missing: string[][] = [];
  for (const alternatives of entry.requires) {
    const hit = alternatives.find((f) => existsSync(path.join(dir, f)));
    if (hit === undefined) missing.push(alternatives);
    else found.push(path.join(dir, hit));
  }
  return { found, missing };
}

export class MissingDataError extends Error {
  readonly dataset: string;
  readonly missing: string[][];

  constructor(entry: DatasetEntry, searched: string[], missing: string[][], note = '') {
    const files = missing.map((alternatives) => alternatives.join(' or ')).join('; ');
    super(
      `dataset '${entry.name}' not found; looked in ${searched.join(', ')}. ` +
        `Missing: ${files}. Put them in <data dir>/${entry.name}/ (pass --data-dir or set ALPHAOPT_DATA); get ${entry.howToGet}.${note}`,
    );
    this.name = 'MissingDataError';
    this.dataset = entry.name;
    this.missing = missing;
  }
}

/** The folder that holds a complete copy of `name`, or a MissingDataError naming every missing file. */
export function locateDataset(name: string, dataDir?: string): string {
  const entry = datasetEntry(name);
  const searched = dataDirectories(dataDir).map((d) => path.join(d, name));
  let closest: { missing: string[][] } = { missing: entry.requires };
  for (const dir of searched) {
    const { missing } = inspect(entry, dir);
    if (missing.length === 0) return dir;
    if (missing.length < closest.missing.length) closest = { missing };
  }
  throw new MissingDataError(entry, searched, closest.missing);
}
