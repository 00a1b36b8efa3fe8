/**
 * What the ES and PES worker-pool tests share: a small LSTM optimizer and quadratic task family, the
 * meta-parameters as plain numbers, and the check that meta-training with 1 worker (in process) and with
 * 2 workers gives bit-identical meta-parameters, curves and validations and leaves no tensors behind.
 */
import type { ExecutionContext } from 'ava';
import * as tf from '@tensorflow/tfjs';
import { createLearnedOptimizer } from '../../src/learned/index.js';
import type { JsonValue, LearnedOptimizer } from '../../src/learned/types.js';
import { metaTrain } from '../../src/meta/metaTrain.js';
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
