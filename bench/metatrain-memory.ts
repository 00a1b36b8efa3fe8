/**
 * Memory of one meta-gradient estimate against the truncation length: truncated
 * BPTT keeps the unroll's tape (grows linearly), antithetic ES does not (flat).
 * Peak bytes held by tfjs tensors during the estimate (tf.profile), 10-d random
 * quadratics, 32 tasks, the 20-unit LSTM.
 *
 *   npm run bench:memory -- [--backend wasm] [--out DIR]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend, BackendRequest } from '../src/backend/index.js';
import { LstmOptimizer } from '../src/learned/index.js';
import { bpttEstimator } from '../src/meta/bptt/bptt.js';
import { decodeMetaTrainConfig } from '../src/meta/config.js';
import { esEstimator } from '../src/meta/es/es.js';
import { collectProvenance } from '../src/provenance.js';
import { treeTensors } from '../src/rules/index.js';
import { randomQuadraticTask } from '../src/tasks/index.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}
const requested = flag('backend', 'wasm');
if (!BackendRequest.is(requested)) throw new Error(`--backend must be one of auto, cpu, wasm, webgpu, tensorflow`);
const choice = await setupBackend(requested);
const provenance = collectProvenance(choice.backend, choice.detail);

const task = randomQuadraticTask({ dimension: 10 });
const optimizer = new LstmOptimizer();
const variables = [...optimizer.metaParams.values()];
const rule = optimizer.rule();
const rows: Array<{ method: string; unroll: number; peakMiB: number; ms: number }> = [];
for (const method of ['bptt', 'es'] as const) {
  for (const unroll of [5, 10, 20, 40]) {
    const config = decodeMetaTrainConfig({ method, unroll, pairs: 8 });
    const problem = task.instantiate(Array.from({ length: 32 }, (_, i) => 1_000_000 + i));
    const theta = tf.clone(problem.start);
    const state = rule.init([theta]);
    const started = performance.now();
    let estimate: Awaited<ReturnType<typeof bpttEstimator.estimate>> | undefined;
    const info = await tf.profile(async () => {
      estimate = await (method === 'bptt' ? bpttEstimator : esEstimator).estimate({ rule, problem, task, seeds: Array.from({ length: 32 }, (_, i) => 1_000_000 + i), from: { theta, state, step: 0 }, variables, config, iteration: 1 });
    });
    const ms = performance.now() - started;
    rows.push({ method, unroll, peakMiB: info.peakBytes / 2 ** 20, ms });
    tf.dispose([theta, ...treeTensors(state), ...estimate!.grads, estimate!.carried.theta, ...treeTensors(estimate!.carried.state)]);
    problem.dispose();
  }
}
console.table(rows);
const outDir = flag('out', path.join('bench', 'results'));
await mkdir(outDir, { recursive: true });
const file = path.join(outDir, `metatrain-memory-${choice.backend}-${provenance.date.replace(/[:.]/g, '-')}.json`);
await writeFile(file, `${JSON.stringify({ suite: 'meta-gradient memory vs truncation length (10-d quadratics, 32 tasks, LSTM 2×20)', provenance, rows }, null, 2)}\n`);
console.log(`wrote ${file}`);
