/**
 * Truncated BPTT in micro-batches sized to memory (issue #22): the tasks of a
 * truncation unrolled in parts give the full batch's meta-gradient, and
 * meta-training under a small memory limit follows the unbatched one.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { LstmOptimizer } from '../src/learned/index.js';
import { bpttEstimator } from '../src/meta/bptt/bptt.js';
import { decodeMetaTrainConfig } from '../src/meta/config.js';
import { combineEstimates, microBatchLengths } from '../src/meta/microBatch.js';
import type { Estimate } from '../src/meta/truncated.js';
import { treeTensors } from '../src/rules/index.js';
import { familyOf, randomQuadraticTask } from '../src/tasks/index.js';
import { metaTrain } from '../src/meta/metaTrain.js';

test.before(async () => {
  await setupBackend('cpu');
});

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

test('micro-batch lengths cover the tasks', (t) => {
  t.deepEqual(microBatchLengths(5, 2), [2, 2, 1]);
  t.deepEqual(microBatchLengths(4, 4), [4]);
  t.deepEqual(microBatchLengths(3, 1), [1, 1, 1]);
});

test.serial('BPTT meta-gradients of uneven micro-batches, weighted by their tasks, equal the full batch (second order)', async (t) => {
  const optimizer = new LstmOptimizer({ hidden: 3, seed: 4 });
  const task = randomQuadraticTask({ dimension: 3 });
  const variables = [...optimizer.metaParams.values()];
  const rule = optimizer.rule();
  const config = decodeMetaTrainConfig({ unroll: 4, firstOrder: false });
  const seeds = [11, 12, 13, 14, 15];
  const before = tf.memory().numTensors;
  const estimateOn = async (part: number[]): Promise<Estimate> => {
    const problem = task.instantiate(part);
    const theta = tf.clone(problem.start);
    const state = rule.init([theta]);
    const estimate = await bpttEstimator.estimate({ rule, problem, task, seeds: part, from: { theta, state, step: 0 }, variables, config, iteration: 1 });
    tf.dispose([theta, ...treeTensors(state), estimate.carried.theta, ...treeTensors(estimate.carried.state)]);
    problem.dispose();
    return estimate;
  };
  const full = await estimateOn(seeds);
  const parts = [await estimateOn(seeds.slice(0, 3)), await estimateOn(seeds.slice(3))];
  const combined = combineEstimates(parts, [3, 2]);
  t.true(Math.abs(combined.metaLoss - full.metaLoss) <= 1e-6 * Math.abs(full.metaLoss), `meta-loss ${combined.metaLoss} vs ${full.metaLoss}`);
  for (const [i, g] of full.grads.entries()) {
    const a = await g.data();
    const scale = Math.max(...Array.from(a, Math.abs));
    t.true(scale > 0, `${variables[i]!.name}: a gradient to compare`);
    const diff = maxAbsDiff(await combined.grads[i]!.data(), a);
    t.true(diff <= 1e-6 * Math.max(scale, 1), `${variables[i]!.name}: max |Δ| ${diff} (scale ${scale})`);
  }
  tf.dispose([...full.grads, ...combined.grads.filter((g) => g !== undefined)]);
  t.is(tf.memory().numTensors, before, 'no tensors leaked');
  optimizer.dispose();
});

test.serial('meta-training under a tiny memory limit unrolls one task at a time and follows the unbatched run; no tensors leak', async (t) => {
  const task = randomQuadraticTask({ dimension: 4 });
  // Six iterations over a horizon of 6 in truncations of 3: tasks are redrawn twice.
  const config = { iterations: 6, unroll: 3, horizon: 6, tasksPerIteration: 5, metaLearningRate: 0.01, validateEvery: 3, validationTasks: 2 };
  const run = async (memoryLimit?: number) => {
    const optimizer = new LstmOptimizer({ hidden: 4, seed: 7 });
    const before = tf.memory().numTensors;
    const report = await metaTrain(optimizer, familyOf(task), { ...config, ...(memoryLimit === undefined ? {} : { memoryLimit }) });
    t.is(tf.memory().numTensors, before, `memoryLimit ${memoryLimit}: no tensors leaked`);
    const params = new Map<string, Float32Array>();
    for (const [name, v] of optimizer.metaParams) params.set(name, (await v.data()) as Float32Array);
    optimizer.dispose();
    return { report, params };
  };
  const whole = await run();
  const split = await run(0.001); // 1 KiB: not even one task fits, so each is unrolled alone
  t.like(whole.report.microBatch, { tasks: 5, count: 1, fits: true });
  t.like(split.report.microBatch, { tasks: 1, count: 5, fits: false, budget: 'a limit of 0 MiB' });
  t.true(split.report.microBatch!.taskPeakBytes > split.report.microBatch!.taskHeldBytes && split.report.microBatch!.taskHeldBytes > 0);
  for (const [i, point] of whole.report.curve.entries()) {
    const other = split.report.curve[i]!.metaLoss;
    t.true(Math.abs(other - point.metaLoss) <= 1e-6 * Math.abs(point.metaLoss), `iteration ${point.iteration}: meta-loss ${other} vs ${point.metaLoss}`);
  }
  for (const [name, a] of whole.params) {
    const diff = maxAbsDiff(split.params.get(name)!, a);
    t.true(diff <= 1e-6, `${name}: max |Δφ| ${diff} after ${config.iterations} meta-steps`);
  }
  const fresh = new LstmOptimizer({ hidden: 4, seed: 7 });
  t.true(maxAbsDiff(whole.params.get('output/kernel')!, fresh.metaParams.get('output/kernel')!.dataSync()) > 1e-4, 'φ moved');
  fresh.dispose();
});

test('a memoryLimit that is not a positive number is refused, naming the field', (t) => {
  t.throws(() => decodeMetaTrainConfig({ memoryLimit: 0 }), { message: /metaTrain\.memoryLimit: expected a positive number of MiB/ });
});
