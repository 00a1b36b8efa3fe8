/**
 * Benchmarks (benny): training steps of the reference CNN and MLP, and a matmul.
 *
 *   npm run bench -- [--backend wasm|cpu|webgpu|tensorflow|auto] [--only cnn,mlp,matmul] [--out DIR]
 *
 * Writes bench/results/<suite>-<backend>-<date>.json with provenance. On the GPU
 * machine run the compiled copy (see README, "Benchmarks on a GPU").
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import b from 'benny';
import type { Summary } from 'benny/lib/internal/common-types.js';
import { tf, setupBackend, BackendRequest } from '../src/index.js';
import { collectProvenance } from '../src/provenance.js';
import { CASES, type BenchCase } from './cases.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}

const requested = flag('backend', 'wasm');
if (!BackendRequest.is(requested)) throw new Error(`--backend must be one of auto, cpu, wasm, webgpu, tensorflow (got '${requested}')`);
const only = flag('only', CASES.map((c) => c.id).join(',')).split(',');
const outDir = flag('out', path.join('bench', 'results'));

const choice = await setupBackend(requested);
console.log(`backend: ${choice.backend} (${choice.detail ?? choice.reason})`);
const provenance = collectProvenance(choice.backend, choice.detail);

// The pure-JS cpu backend takes a minute per CNN step: take few samples there.
const slow = choice.backend === 'cpu';
const options = slow ? { minSamples: 2, maxTime: 1, initCount: 1 } : { minSamples: 10, maxTime: 10 };

const selected: BenchCase[] = CASES.filter((c) => only.includes(c.id));
const prepared = await Promise.all(selected.map(async (c) => ({ c, run: await c.prepare() })));

const summary: Summary = await b.suite(
  `training steps on ${choice.backend}`,
  ...prepared.map(({ c, run }) => b.add(c.title, run, options)),
  b.cycle(),
  b.complete(),
);
for (const { c } of prepared) c.dispose?.();

const results = summary.results.map((r) => ({
  case: r.name,
  meanMs: r.details.mean * 1000,
  medianMs: r.details.median * 1000,
  relativeMarginOfError: r.details.relativeMarginOfError,
  samples: r.samples,
}));
console.table(results);
await mkdir(outDir, { recursive: true });
const stamp = provenance.date.replace(/[:.]/g, '-');
const file = path.join(outDir, `training-steps-${choice.backend}-${stamp}.json`);
await writeFile(file, `${JSON.stringify({ suite: summary.name, provenance, results, tfjsVersion: tf.version.tfjs }, null, 2)}\n`);
console.log(`wrote ${file}`);
