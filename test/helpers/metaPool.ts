/**
 * What the ES and PES worker-pool tests share: a small LSTM optimizer and quadratic task family, the
 * meta-parameters as plain numbers, and the check that meta-training with 1 worker (in process) and with
 * 2 workers gives bit-identical meta-parameters, curves and validations and leaves no tensors behind, and that a
 * child killed mid-unit has its unit redone elsewhere with the same result.
 */
import type { ExecutionContext } from 'ava';
import * as tf from '@tensorflow/tfjs';
import { createLearnedOptimizer } from '../../src/learned/index.js';
import type { JsonValue, LearnedOptimizer } from '../../src/learned/types.js';
import { decodeMetaTrainConfig, type MetaTrainConfig } from '../../src/meta/config.js';
import { metaTrain } from '../../src/meta/metaTrain.js';
import { trainTruncated, type Estimator } from '../../src/meta/truncated.js';
import type { PoolEvent } from '../../src/pool/workerPool.js';
import type { Task } from '../../src/tasks/types.js';
import { familyOf, taskFromSpec } from '../../src/tasks/index.js';

export const poolLstm = (): LearnedOptimizer => createLearnedOptimizer('lstm', { hidden: 3, seed: 4 });
/** Made by taskFromSpec: pool workers rebuild the task from its spec. */
export const poolFamily = () => familyOf(taskFromSpec({ task: 'randomQuadratic', options: { dimension: 3 } }));
export const metaValues = (optimizer: LearnedOptimizer): number[][] => [...optimizer.metaParams.values()].map((v) => Array.from(v.dataSync()));

/** Meta-trains two identical optimizers with `config(1)` and `config(workers)` and asserts the results are the same bit for bit. */
export async function assertSameWithWorkers(t: ExecutionContext, config: (workers: number) => Record<string, JsonValue>, workers = 2): Promise<void> {
  const one = poolLstm();
  const two = poolLstm();
  const before = metaValues(one);
  const a = await metaTrain(one, poolFamily(), config(1));
  const tensors = tf.memory().numTensors;
  const b = await metaTrain(two, poolFamily(), config(workers));
  t.is(tf.memory().numTensors, tensors, 'the pool path leaves no tensors behind');
  t.notDeepEqual(metaValues(one), before, 'meta-training moved φ');
  t.deepEqual(metaValues(two), metaValues(one));
  t.deepEqual(
    b.curve.map((p) => p.metaLoss),
    a.curve.map((p) => p.metaLoss),
  );
  t.deepEqual(b.validation, a.validation);
  one.dispose();
  two.dispose();
}

/** A pool of ES pairs or PES particles as esPairs.ts / pesParticles.ts open it. */
type OpenPool<E> = (optimizer: LearnedOptimizer, task: Task, config: MetaTrainConfig, onEvent: (event: PoolEvent) => void) => { evaluate: E; close(): void };

/**
 * Meta-trains on a pool whose first child unit with a key matching `pick` is killed (SIGKILL) as it starts, and
 * asserts that the death was seen, the unit retried and finished by another worker, and φ equals the 1-worker run's.
 */
export async function assertKilledChildRedone<E>(t: ExecutionContext, config: (workers: number) => Record<string, JsonValue>, open: OpenPool<E>, estimatorOf: (evaluate: E) => Estimator & { dispose?(): void }, pick: (key: string) => boolean = () => true): Promise<void> {
  const reference = poolLstm();
  await metaTrain(reference, poolFamily(), config(1));
  const optimizer = poolLstm();
  // Decoded as metaTrain decodes it for this optimizer (the LSTM's reference meta-training defaults included).
  const decoded = decodeMetaTrainConfig(config(2), 'metaTrain', optimizer.metaTrainDefaults);
  const events: PoolEvent[] = [];
  let victim: string | undefined;
  let childReady = (): void => undefined;
  const ready = new Promise<void>((resolve) => (childReady = resolve));
  const pool = open(optimizer, poolFamily().task, decoded, (event) => {
    events.push(event);
    if (event.type === 'ready') childReady();
    // Only a child: a unit run in this process (event.local) cannot be killed without killing the test.
    if (event.type === 'started' && event.local !== true && victim === undefined && pick(event.key)) {
      victim = event.key;
      process.kill(event.pid, 'SIGKILL');
    }
  });
  const estimator = estimatorOf(pool.evaluate);
  try {
    // Units this small all run here, taken back from a child still starting up, unless the child is ready first.
    await ready;
    await trainTruncated(optimizer, poolFamily(), decoded, estimator);
  } finally {
    estimator.dispose?.();
    pool.close();
  }
  t.true(victim !== undefined && events.some((e) => e.type === 'retry' && e.key === victim && /SIGKILL/.test(e.reason ?? '')), 'the death was seen and the unit retried');
  const killed = events.find((e) => e.type === 'started' && e.key === victim)?.pid;
  t.true(events.some((e) => e.type === 'finished' && e.key === victim && e.pid !== killed), 'another worker finished it');
  t.deepEqual(metaValues(optimizer), metaValues(reference));
  reference.dispose();
  optimizer.dispose();
}
