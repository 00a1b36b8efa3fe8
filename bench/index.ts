/**
 * Benchmarks (benny): training steps of the reference CNN and MLP, and a matmul.
 *
 *   npm run bench -- [--backend wasm|cpu|webgpu|tensorflow|auto] [--only cnn,mlp,matmul] [--out DIR]
 *
 * Writes bench/results/<suite>-<backend>-<date>.json with provenance. On the GPU
 * machine run the compiled copy (see README, "Benchmarks on a GPU").
 */
import b from 'benny';
import type { Summary } from 'benny/lib/internal/common-types.js';
import { CASES, type BenchCase } from './cases.js';
import { list, startBench } from './harness.js';

const { options: flags, choice, writeResult } = await startBench<{ only: string[] }>({
  name: 'bench',
  description: 'training steps of the reference CNN and MLP, and a matmul',
  flags: (c) => c.option('--only <ids>', `cases to run, of ${CASES.map((x) => x.id).join(',')}`, list, CASES.map((x) => x.id)),
});

// The pure-JS cpu backend takes a minute per CNN step: take few samples there.
const slow = choice.backend === 'cpu';
const options = slow ? { minSamples: 2, maxTime: 1, initCount: 1 } : { minSamples: 10, maxTime: 10 };

const selected: BenchCase[] = CASES.filter((c) => flags.only.includes(c.id));
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
await writeResult('training-steps', summary.name, { results });
