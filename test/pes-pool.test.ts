/**
 * PES particles on the worker pool: meta-training gives bit-identical meta-parameters
 * and curves with 1 worker (in process) and 2 workers (this process and one child, the
 * particles' states shipped both ways), leaves no tensors behind, and a worker killed
 * mid-particle has its particle redone from the same states with the same result.
 */
import test from 'ava';
import { setupBackend } from '../src/backend/setup.js';
import type { JsonValue } from '../src/learned/types.js';
import { pesEstimator } from '../src/meta/pes/pes.js';
import { openPesParticlePool } from '../src/meta/pes/pesParticles.js';
import { assertKilledChildRedone, assertSameWithWorkers } from './helpers/metaPool.js';

test.before(async () => {
  await setupBackend('cpu');
});

// Two truncations per task draw (horizon 6, unroll 3): the particles' states cross a truncation, which is what PES is about.
const config = (workers: number): Record<string, JsonValue> => ({ method: 'pes', iterations: 4, unroll: 3, horizon: 6, tasksPerIteration: 3, pairs: 4, sigma: 0.01, validateEvery: 2, validationTasks: 2, workers });

test.serial('PES meta-training: 1 worker (in process) and 2 workers give bit-identical meta-parameters and curves, no tensors left', async (t) => {
  await assertSameWithWorkers(t, config);
});

test.serial('a worker killed mid-particle: the particle is redone from the same states, the result is unchanged', async (t) => {
  // Killed in the second truncation of a task draw, where the particles carry their own states.
  await assertKilledChildRedone(t, config, openPesParticlePool, (evaluate) => pesEstimator(evaluate, { elsewhere: true }), (key) => key.startsWith('PES iteration 1 '));
});
