/**
 * Memory of one meta-gradient estimate against the truncation length: truncated
 * BPTT keeps the unroll's tape (grows linearly), antithetic ES does not (flat).
 * Peak bytes held by tfjs tensors during the estimate (tf.profile), 10-d random
 * quadratics, 32 tasks, the 20-unit LSTM.
 *
 *   npm run bench:memory -- [--backend wasm] [--out DIR]
 */
import * as tf from '@tensorflow/tfjs';
import { LstmOptimizer } from '../src/learned/index.js';
import { bpttEstimator } from '../src/meta/bptt/bptt.js';
import { decodeMetaTrainConfig } from '../src/meta/config.js';
import { esEstimator } from '../src/meta/es/es.js';
import { treeTensors } from '../src/rules/index.js';
import { randomQuadraticTask } from '../src/tasks/index.js';
import { startBench } from './harness.js';

const { writeResult } = await startBench({ name: 'bench:memory', description: 'peak memory of one meta-gradient estimate against the truncation length (BPTT, ES)' });

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
await writeResult('metatrain-memory', 'meta-gradient memory vs truncation length (10-d quadratics, 32 tasks, LSTM 2×20)', { rows });
