/**
 * The AlphaOpt package itself: where it is installed, its version, its shipped
 * suites. Resolved from this module's own location (src/ in a checkout, dist/
 * in an installed package: both one level below the package root), never from
 * the user's working directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The nearest folder above this module with a package.json (one level up from src/ or dist/; two from dist-bench/src/, the benchmarks' build). */
function packageRoot(): string {
  let dir = fileURLToPath(new URL('../', import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export const PACKAGE_ROOT = packageRoot();

/** The `version` in the package.json at `root` (default: AlphaOpt's own). */
export function packageVersion(root = PACKAGE_ROOT): string {
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}
