/**
 * Rewrites src/'s value imports of CommonJS packages to `#tfjs` (src/tfjs/) and `#cjs/…` (src/cjs/),
 * package.json "imports" that Node loads with `require`: Node's ES-module import of a CommonJS
 * package lexes its code for export names first — ~0.3 s of CPU for tfjs, ~0.1 s for io-ts, fp-ts,
 * pngjs and yauzl together, in every process that starts (each pool child, the CLI). Browsers and
 * bundlers get the packages' ES modules. Idempotent; run after merging branches that add such imports:
 *
 *   npx tsx scripts/cjs-imports.ts [--check]
 *
 * Only the exact lines in REWRITES change (type-only imports are erased by tsc and stay). With
 * --check it changes nothing and exits 1 if a file needs it (test/cjs-imports.test.ts runs the check).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SRC = fileURLToPath(new URL('../src/', import.meta.url));
/** Whole import lines and what they become. */
export const REWRITES: ReadonlyMap<string, string> = new Map([
  ["import * as tf from '@tensorflow/tfjs';", "import tf from '#tfjs';"],
  ["import * as t from 'io-ts';", "import t from '#cjs/io-ts';"],
  ["import { PathReporter } from 'io-ts/lib/PathReporter.js';", "import { PathReporter } from '#cjs/io-ts-path-reporter';"],
  ["import { isLeft } from 'fp-ts/lib/Either.js';", "import { isLeft } from '#cjs/fp-ts-either';"],
  ["import { isRight } from 'fp-ts/lib/Either.js';", "import { isRight } from '#cjs/fp-ts-either';"],
  ["import { PNG } from 'pngjs';", "import { PNG } from '#cjs/pngjs';"],
  ["import yauzl from 'yauzl';", "import yauzl from '#cjs/yauzl';"],
]);

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : Promise.resolve(e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : []))));
  return nested.flat().sort();
}

/** The src/ files (relative paths) with an import line of REWRITES; rewritten unless `check`. */
export async function rewriteCjsImports(check: boolean): Promise<string[]> {
  const changed: string[] = [];
  for (const file of await sources(SRC)) {
    const text = await readFile(file, 'utf8');
    const lines = text.split('\n');
    if (!lines.some((line) => REWRITES.has(line))) continue;
    changed.push(path.relative(SRC, file));
    if (!check) await writeFile(file, lines.map((line) => REWRITES.get(line) ?? line).join('\n'));
  }
  return changed;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const changed = await rewriteCjsImports(check);
  for (const file of changed) console.log(`${check ? 'needs #tfjs/#cjs' : 'rewrote'}: src/${file}`);
  console.log(`${changed.length} file(s) ${check ? 'still import CommonJS packages directly' : 'rewritten'}`);
  if (check && changed.length > 0) process.exitCode = 1;
}
