/**
 * The AlphaOpt package itself: where it is installed, its version, its shipped
 * suites. Resolved from this module's own location (src/ in a checkout, dist/
 * in an installed package: both one level below the package root), never from
 * the user's working directory.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The `version` in the package.json at `root` (default: AlphaOpt's own). */
export function packageVersion(root = PACKAGE_ROOT): string {
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}
