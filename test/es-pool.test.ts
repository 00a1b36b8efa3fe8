/**
 * ES perturbation pairs on the worker pool: meta-training gives bit-identical
 * meta-parameters with 1 worker (in process) and 2 workers, a worker killed
 * mid-pair has its pair redone elsewhere with the same result, and options that
 * cannot work are refused with the field named.
 */
import test from 'ava';
import { setupBackend } from '../src/backend/setup.js';
import type { JsonValue } from '../src/learned/types.js';
import { decodeMetaTrainConfig } from '../src/meta/config.js';
import { esEstimatorWith } from '../src/meta/es/es.js';
import { openEsPairPool } from '../src/meta/es/esPairs.js';
import { metaTrain } from '../src/meta/metaTrain.js';
import { decodeSuite, type LearnedOptimizerPlan } from '../src/suite/decode.js';
import { fingerprintOf } from '../src/suite/checkpointReuse.js';
import { familyOf, randomQuadraticTask } from '../src/tasks/index.js';
import { assertKilledChildRedone, assertSameWithWorkers, poolLstm } from './helpers/metaPool.js';

test.before(async () => {
  await setupBackend('cpu');
});

const config = (workers: number): Record<string, JsonValue> => ({ method: 'es', iterations: 4, unroll: 3, horizon: 6, tasksPerIteration: 3, pairs: 5, sigma: 0.01, validateEvery: 2, validationTasks: 2, workers });

test.serial('ES meta-training: 1 worker (in process) and 2 workers give bit-identical meta-parameters and curves', async (t) => {
  await assertSameWithWorkers(t, config);
});

test.serial('a worker killed mid-pair: the pair is redone on another worker and the result is unchanged', async (t) => {
  await assertKilledChildRedone(t, config, openEsPairPool, (evaluate) => esEstimatorWith(evaluate, { elsewhere: true }));
});

test.serial('workers > 1 is refused where it cannot apply, naming the field', async (t) => {
  t.throws(() => decodeMetaTrainConfig({ method: 'bptt', workers: 2 }), { message: /metaTrain\.workers: only ES and PES evaluate on worker processes/ });
  t.throws(() => decodeMetaTrainConfig({ method: 'es', workers: 0 }), { message: /metaTrain\.workers: expected a positive integer/ });
  const optimizer = poolLstm();
  await t.throwsAsync(metaTrain(optimizer, familyOf(randomQuadraticTask({ dimension: 3 })), config(2)), { message: /metaTrain\.workers: .*not made by taskFromSpec/ });
  optimizer.dispose();
});

test('the number of ES workers is not part of a checkpoint fingerprint (the result is the same); the ES config is', async (t) => {
  const suite = (config: Record<string, JsonValue>) =>
    decodeSuite(
      {
        name: 'fingerprint',
        backend: 'cpu',
        steps: 5,
        seeds: 1,
        tasks: [{ task: 'rosenbrock' }],
        optimizers: [{ name: 'learned', learned: { kind: 'lstm', hyperParams: { hidden: 3 }, metaTrain: { task: { task: 'randomQuadratic', options: { dimension: 3 } }, config } } }],
      },
      'fingerprint.json',
    );
  const of = async (config: Record<string, JsonValue>) => {
    const s = suite(config);
    return (await fingerprintOf(s, s.optimizers[0] as LearnedOptimizerPlan)).config;
  };
  t.is(await of(config(2)), await of(config(1)));
  const { workers: _, ...withoutWorkers } = config(1);
  t.is(await of(withoutWorkers), await of(config(1)), 'absent = 1 = 2');
  t.not(await of({ ...config(2), pairs: 6 }), await of(config(2)));
});
