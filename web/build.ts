/**
 * `npm run build:web`: the static site in web/dist — the pages, their scripts
 * bundled by esbuild for browsers (no CDN: tfjs and its .wasm files ship with the
 * site), the shipped checkpoints, the digit set and the committed 2-D results.
 */
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const SITE_OUT = path.join(ROOT, 'web', 'dist');
const PAGES = ['race', 'train', 'explore'];

export async function buildSite(out = SITE_OUT): Promise<{ out: string; files: number }> {
  await rm(out, { recursive: true, force: true });
  await mkdir(path.join(out, 'assets'), { recursive: true });
  await esbuild.build({
    entryPoints: PAGES.map((p) => path.join(ROOT, 'web', 'src', `${p}.ts`)),
    outdir: path.join(out, 'assets'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  for (const file of ['index.html', ...PAGES.map((p) => `${p}.html`), 'style.css']) await cp(path.join(ROOT, 'web', file), path.join(out, file));
  // tfjs-backend-wasm fetches these at start-up (setupWebBackend's wasmPaths).
  const wasmDir = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  await mkdir(path.join(out, 'wasm'));
  for (const file of (await readdir(wasmDir)).filter((f) => f.endsWith('.wasm'))) await cp(path.join(wasmDir, file), path.join(out, 'wasm', file));
  // Shipped checkpoints, loadable by name (loadPretrained('lstm-quadratic')), and their index.
  const names: string[] = [];
  for (const name of (await readdir(path.join(ROOT, 'pretrained'))).sort()) {
    const dir = path.join(ROOT, 'pretrained', name);
    if (!existsSync(path.join(dir, 'manifest.json'))) continue;
    await mkdir(path.join(out, 'pretrained', name), { recursive: true });
    for (const file of ['manifest.json', 'weights.bin']) await cp(path.join(dir, file), path.join(out, 'pretrained', name, file));
    names.push(name);
  }
  // The 2-D suite's own learned schedule, so the race can run everything `npm start` compares.
  const schedule = path.join(ROOT, 'results', '2d', 'checkpoints', 'lr-schedule-learned');
  if (existsSync(path.join(schedule, 'manifest.json'))) {
    await mkdir(path.join(out, 'pretrained', 'lr-schedule-2d'), { recursive: true });
    for (const file of ['manifest.json', 'weights.bin']) await cp(path.join(schedule, file), path.join(out, 'pretrained', 'lr-schedule-2d', file));
    names.push('lr-schedule-2d');
  }
  await writeFile(path.join(out, 'pretrained', 'index.json'), `${JSON.stringify(names)}\n`);
  await cp(path.join(ROOT, 'web', 'data'), path.join(out, 'data'), { recursive: true });
  const results = path.join(ROOT, 'results', '2d');
  await mkdir(path.join(out, 'results', '2d'), { recursive: true });
  for (const file of ['runs.jsonl', 'summary.md', 'provenance.json']) {
    if (existsSync(path.join(results, file))) await cp(path.join(results, file), path.join(out, 'results', '2d', file));
  }
  const count = async (dir: string): Promise<number> =>
    (await Promise.all((await readdir(dir, { withFileTypes: true })).map((e) => (e.isDirectory() ? count(path.join(dir, e.name)) : 1)))).reduce((a, b) => a + b, 0);
  return { out, files: await count(out) };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { out, files } = await buildSite();
  process.stdout.write(`site built: ${files} files in ${path.relative(process.cwd(), out) || out}\n`);
}
