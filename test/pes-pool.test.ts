/**
 * PES particles on the worker pool: meta-training gives bit-identical meta-parameters
 * and curves with 1 worker (in process) and 2 workers (this process and one child, the
 * particles' states shipped both ways), leaves no tensors behind, and a worker killed
 * mid-particle has its particle redone from the same states with the same result.
 */
import test from 'ava';
import { setupBackend } from '../src/backend/setup.js';
import type { JsonValue } from '../src/learned/types.js';
import { decodeMetaTrainConfig } from '../src/meta/config.js';
import { metaTrain } from '../src/meta/metaTrain.js';
import { pesEstimator } from '../src/meta/pes/pes.js';
import { openPesParticlePool } from '../src/meta/pes/pesParticles.js';
import { trainTruncated } from '../src/meta/truncated.js';
import type { PoolEvent } from '../src/pool/workerPool.js';
import { assertSameWithWorkers, metaValues, poolFamily, poolLstm } from './helpers/metaPool.js';

test.before(async () => {
  await setupBackend('cpu');
});

// Two truncations per task draw (horizon 6, unroll 3): the particles' states cross a truncation, which is what PES is about.
const config = (workers: number): Record<string, JsonValue> => ({ method: 'pes', iterations: 4, unroll: 3, horizon: 6, tasksPerIteration: 3, pairs: 4, sigma: 0.01, validateEvery: 2, validationTasks: 2, workers });

test.serial('PES meta-training: 1 worker (in process) and 2 workers give bit-identical meta-parameters and curves, no tensors left', async (t) => {
  await assertSameWithWorkers(t, config);
});

test.serial('a worker killed mid-particle: the particle is redone from the same states, the result is unchanged', async (t) => {
  const reference = poolLstm();
  await metaTrain(reference, poolFamily(), config(1));
  const optimizer = poolLstm();
  const decoded = decodeMetaTrainConfig(config(2), 'metaTrain', optimizer.metaTrainDefaults);
  const events: PoolEvent[] = [];
  let victim: string | undefined;
  // Killed in the second truncation of a task draw, where the particles carry their own states.
  const pool = openPesParticlePool(optimizer, poolFamily().task, decoded, (event) => {
    events.push(event);
    if (event.type === 'started' && event.local !== true && victim === undefined && event.key.startsWith('PES iteration 1 ')) {
      victim = event.key;
      process.kill(event.pid, 'SIGKILL');
    }
  });
  const pes = pesEstimator(pool.evaluate, { elsewhere: true });
  try {
    await trainTruncated(optimizer, poolFamily(), decoded, pes);
  } finally {
    pes.dispose();
    pool.close();
  }
  t.true(victim !== undefined && events.some((e) => e.type === 'retry' && e.key === victim && /SIGKILL/.test(e.reason ?? '')), 'the death was seen and the particle retried');
  t.deepEqual(metaValues(optimizer), metaValues(reference));
  reference.dispose();
  optimizer.dispose();
});
