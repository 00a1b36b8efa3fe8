/**
 * The workloads of bench:parallel (parallel.ts) and of the pool start-up probe
 * (pool-startup.ts): the 2-D suite without its learned optimizer, a small MNIST-MLP
 * suite, and the ES/PES meta-training config of suites/l2l-quadratic.json.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { JsonValue } from '../src/learned/types.js';
import { decodeSuite, type Suite } from '../src/suite/decode.js';

/**
 * `scale` multiplies the suite's seeds: the same groups, each with `scale` times the runs, so a
 * process's fixed costs (start-up, JIT warm-up) weigh as little as they do in a full-size suite.
 */
export async function twoD(scale = 1): Promise<Suite> {
  const raw = JSON.parse(await readFile('suites/2d.json', 'utf8')) as { seeds: number; optimizers: Array<{ learned?: unknown }> };
  // Every grid point on the scored seeds (88 groups, 2,640 runs): one phase, the same units for the pool and the queue (a queue cannot order held-out tuning's phases).
  return decodeSuite({ ...raw, seeds: raw.seeds * scale, tuning: { mode: 'scored-seeds' }, optimizers: raw.optimizers.filter((o) => o.learned === undefined) }, path.resolve('suites/2d.json'));
}

export function mnistMlp(scale = 1): Suite {
  const lr = [0.01, 0.1];
  return decodeSuite(
    {
      name: 'bench-mnist-mlp',
      backend: 'wasm',
      steps: 50,
      seeds: 2 * scale,
      tasks: [{ task: 'mnistMlp', id: 'm1', options: { dataset: 'mnist-10k', hidden: [100], activation: 'relu', batchSize: 128 } }],
      optimizers: ['sgd', 'momentum', 'nesterov', 'adam', 'rmsprop', 'adagrad'].map((rule) => ({ name: rule, rule, grid: { learningRate: lr } })),
    },
    path.resolve('bench-mnist-mlp.json'),
  );
}

/** The ES entry of suites/l2l-quadratic.json (LSTM optimizer, 10-D random quadratics, 32 tasks, unroll 20, 8 pairs), or PES with 8 particles. */
export const esConfig = (method: 'es' | 'pes', iterations: number, workers: number): Record<string, JsonValue> => ({
  method,
  iterations,
  unroll: 20,
  horizon: 100,
  tasksPerIteration: 32,
  metaLearningRate: 0.01,
  sigma: 0.01,
  pairs: 8,
  clipNorm: 1,
  validateEvery: iterations,
  validationTasks: 32,
  workers,
});
export const esTaskSpec = { task: 'randomQuadratic', options: { dimension: 10 } } as const;
