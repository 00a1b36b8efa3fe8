/**
 * ES pairs and PES particles as BullMQ jobs (src/queue/perturbations.ts): meta-training
 * here, its population evaluated by an `alphaopt worker` (two sandboxes) through Redis
 * on loopback, gives bit-identical meta-parameters to the in-process run.
 */
import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setupBackend } from '../src/backend/setup.js';
import { createLearnedOptimizer } from '../src/learned/index.js';
import type { JsonValue, LearnedOptimizer } from '../src/learned/types.js';
import { decodeMetaTrainConfig } from '../src/meta/config.js';
import { esEstimatorWith } from '../src/meta/es/es.js';
import { metaTrain } from '../src/meta/metaTrain.js';
import { pesEstimator } from '../src/meta/pes/pes.js';
import { trainTruncated } from '../src/meta/truncated.js';
import { openQueuedPerturbations } from '../src/queue/perturbations.js';
import { startWorker } from '../src/queue/worker.js';
import { familyOf, taskFromSpec } from '../src/tasks/index.js';
import { startRedis } from './helpers/redis.js';

test.before(async () => {
  await setupBackend('cpu');
});

const config = (method: 'es' | 'pes'): Record<string, JsonValue> => ({ method, iterations: 4, unroll: 3, horizon: 6, tasksPerIteration: 3, pairs: 4, sigma: 0.01, validateEvery: 2, validationTasks: 2 });
const lstm = () => createLearnedOptimizer('lstm', { hidden: 3, seed: 4 });
const family = () => familyOf(taskFromSpec({ task: 'randomQuadratic', options: { dimension: 3 } }));
const values = (optimizer: LearnedOptimizer) => [...optimizer.metaParams.values()].map((v) => Array.from(v.dataSync()));

test('ES pairs and PES particles as queue jobs: the same meta-parameters as in one process, bit for bit', async (t) => {
  const redis = await startRedis();
  const queue = 'perturbations';
  const worker = startWorker({ redis: redis.url, queue, concurrency: 2, work: await mkdtemp(path.join(os.tmpdir(), 'alphaopt-queue-')) });
  t.teardown(async () => {
    await worker.close(true);
    await redis.stop();
  });
  for (const method of ['es', 'pes'] as const) {
    const reference = lstm();
    await metaTrain(reference, family(), config(method));
    const optimizer = lstm();
    const decoded = decodeMetaTrainConfig(config(method), 'metaTrain', optimizer.metaTrainDefaults);
    const f = family();
    const queued = await openQueuedPerturbations({ redis: redis.url, queue, timeoutMs: 120_000 }, optimizer, f.task, decoded);
    const pes = method === 'pes' ? pesEstimator(queued.evaluateParticles, { elsewhere: true }) : undefined;
    try {
      await trainTruncated(optimizer, f, decoded, pes ?? esEstimatorWith(queued.evaluatePairs, { elsewhere: true }));
    } finally {
      pes?.dispose();
      await queued.close();
    }
    t.deepEqual(values(optimizer), values(reference), method);
    reference.dispose();
    optimizer.dispose();
  }
});
