/**
 * Rewrites src/'s value imports of tfjs to `#tfjs` (src/tfjs/, package.json "imports"), which
 * Node loads with `require` instead of lexing tfjs's CommonJS bundles for their export names
 * (~0.3 s of CPU in every process: each pool child, the CLI). Idempotent; run after merging
 * branches that add files importing '@tensorflow/tfjs':
 *
 *   npx tsx scripts/tfjs-imports.ts [--check]
 *
 * Only the exact line `import * as tf from '@tensorflow/tfjs';` changes (type-only imports are
 * erased by tsc and stay). With --check it changes nothing and exits 1 if a file needs it
 * (test/tfjs-imports.test.ts runs the check).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const FROM = "import * as tf from '@tensorflow/tfjs';";
const TO = "import tf from '#tfjs';";

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : Promise.resolve(e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : []))));
  return nested.flat().sort();
}

/** The src/ files (relative paths) whose tfjs import is not `#tfjs` yet; rewritten unless `check`. */
export async function rewriteTfjsImports(check: boolean): Promise<string[]> {
  const changed: string[] = [];
  for (const file of await sources(SRC)) {
    const text = await readFile(file, 'utf8');
    const lines = text.split('\n');
    if (!lines.includes(FROM)) continue;
    changed.push(path.relative(SRC, file));
    if (!check) await writeFile(file, lines.map((line) => (line === FROM ? TO : line)).join('\n'));
  }
  return changed;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const changed = await rewriteTfjsImports(check);
  for (const file of changed) console.log(`${check ? 'needs #tfjs' : 'rewrote'}: src/${file}`);
  console.log(`${changed.length} file(s) ${check ? 'still import tfjs directly' : 'rewritten'}`);
  if (check && changed.length > 0) process.exitCode = 1;
}
