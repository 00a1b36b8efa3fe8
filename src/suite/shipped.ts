/**
 * The suites shipped with the package (`suites/*.json`), so that `alphaopt run 2d`
 * works from an installed package as from a clone.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package.js';

export const SHIPPED_SUITES_DIR = path.join(PACKAGE_ROOT, 'suites');

export interface ShippedSuite {
  name: string;
  file: string;
  description: string;
}

/** The shipped suites by name (the file name without `.json`), with their descriptions. */
export function shippedSuites(): ShippedSuite[] {
  if (!existsSync(SHIPPED_SUITES_DIR)) return [];
  return readdirSync(SHIPPED_SUITES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = path.join(SHIPPED_SUITES_DIR, f);
      let description = '';
      try {
        description = String((JSON.parse(readFileSync(file, 'utf8')) as { description?: unknown }).description ?? '');
      } catch {
        description = '(not valid JSON)';
      }
      return { name: f.slice(0, -'.json'.length), file, description };
    });
}

/**
 * A suite argument as the user typed it: an existing file, else the name of a
 * shipped suite (`2d` or `2d.json`); otherwise an error listing the shipped names.
 */
export function resolveSuiteArgument(argument: string): string {
  if (existsSync(argument) && statSync(argument).isFile()) return argument;
  const name = path.basename(argument, '.json');
  const isBareName = !argument.includes('/') && !argument.includes(path.sep);
  const shipped = path.join(SHIPPED_SUITES_DIR, `${name}.json`);
  if (isBareName && existsSync(shipped)) return shipped;
  const names = shippedSuites().map((s) => s.name).join(', ');
  throw new Error(`no suite file '${argument}'${isBareName ? ' and no shipped suite of that name' : ''}; give a path to a suite file or one of the shipped suites: ${names} (alphaopt suites lists them)`);
}
