/**
 * Issue #18, Andrychowicz et al. as the reference code (deepmind/learning-to-learn) sets it up: the MNIST MLP's
 * weights AND biases from N(0, 0.01²) (Glorot kept as a labelled variant), the LSTM's output scale 0.01 and
 * preprocessing k = 5, meta-training with Adam 1e-3 and no clipping, and a meta-loss that may weigh later steps more.
 */
import test from 'ava';
import { gzipSync } from 'node:zlib';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { LstmOptimizer } from '../src/learned/index.js';
import { LSTM_META_TRAIN_DEFAULTS } from '../src/learned/lstm/lstmOptimizer.js';
import { decodeMetaTrainConfig } from '../src/meta/config.js';
import { unroll } from '../src/meta/objective.js';
import { sgd } from '../src/rules/index.js';
import { mnistMlpTask, randomQuadraticTask } from '../src/tasks/index.js';
import { taskFromSpec } from '../src/tasks/registry.js';
import { idx } from './helpers/synthetic.js';

test.before(async () => {
  await setupBackend('cpu');
});

async function tinyMnist(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-l2l-'));
  const n = 20;
  await mkdir(path.join(root, 'tiny'), { recursive: true });
  await writeFile(path.join(root, 'tiny', 'images-idx3-ubyte.gz'), gzipSync(idx([n, 28, 28], new Uint8Array(n * 784).fill(7))));
  await writeFile(path.join(root, 'tiny', 'labels-idx1-ubyte.gz'), gzipSync(idx([n], Uint8Array.from({ length: n }, (_, i) => i % 10))));
  return root;
}

const stats = (xs: Float32Array | number[]) => {
  const n = xs.length;
  const mean = Array.from(xs).reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(Array.from(xs).reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { mean, std, max: Math.max(...Array.from(xs).map(Math.abs)) };
};

test('the reference init draws weights AND biases from N(0, 0.01²); Glorot (the labelled variant) draws uniform weights and zero biases', async (t) => {
  const root = await tinyMnist();
  const hidden = 20;
  const weights1 = 784 * hidden;
  const start = async (init?: 'reference' | 'glorot') => {
    const task = mnistMlpTask({ dataset: 'tiny', dataDir: root, hidden: [hidden], ...(init === undefined ? {} : { init }) });
    await task.prepare!();
    const problem = task.instantiate([0, 1]);
    const values = (await problem.start.data()) as Float32Array;
    problem.dispose();
    const row = values.subarray(0, task.dimension);
    return { task, weights: row.subarray(0, weights1), biases: Array.from(row.subarray(weights1, weights1 + hidden)).concat(Array.from(row.subarray(weights1 + hidden + hidden * 10))), other: values.subarray(task.dimension) };
  };
  const reference = await start('reference');
  const w = stats(reference.weights);
  const b = stats(reference.biases);
  t.log(`reference: weights mean ${w.mean.toExponential(2)} std ${w.std.toExponential(3)}; biases std ${b.std.toExponential(3)} over ${reference.biases.length}`);
  t.true(Math.abs(w.mean) < 3 * 0.01 / Math.sqrt(weights1), 'weights centred');
  t.true(Math.abs(w.std - 0.01) < 0.0003, `weights std ${w.std}`);
  t.true(Math.abs(b.std - 0.01) < 0.004 && reference.biases.every((x) => x !== 0), `biases ~ N(0, 0.01²), none zero (std ${b.std})`);
  t.true(w.max < 0.07, 'no stray large values');
  t.notDeepEqual(Array.from(reference.other.subarray(0, 100)), Array.from(reference.weights.subarray(0, 100)), 'each run (seed) draws its own');
  t.regex(reference.task.id, /reference-init/, 'the variant is labelled in the task id');

  const glorot = await start();
  const limit = Math.sqrt(6 / (784 + hidden));
  const g = stats(glorot.weights);
  t.true(g.max <= limit && Math.abs(g.std - limit / Math.sqrt(3)) < 0.02 * limit, 'Glorot-uniform weights (the default)');
  t.true(glorot.biases.every((x) => x === 0), 'zero biases');

  t.is(taskFromSpec({ task: 'mnistMlp', options: { dataset: 'tiny', init: 'reference' } }, 'task', { dataDir: root }).id, 'tiny-mlp-20-sigmoid-reference-init');
  t.throws(() => taskFromSpec({ task: 'mnistMlp', options: { init: 'he' } }), { message: /task\.options\.init: expected 'glorot' or 'reference', got "he"/ });
});

test('the LSTM optimizer and its meta-training follow the reference defaults: scale 0.01, k = 5, Adam 1e-3, no clipping', (t) => {
  const lstm = new LstmOptimizer();
  t.like(lstm.hyperParams, { hidden: 20, layers: 2, outputScale: 0.01, preprocessP: 5 });
  lstm.dispose();
  const config = decodeMetaTrainConfig({}, 'metaTrain', LSTM_META_TRAIN_DEFAULTS);
  t.is(config.metaLearningRate, 0.001);
  t.is(config.clipNorm, 0);
  t.is(config.stepWeighting, 'uniform');
  t.throws(() => decodeMetaTrainConfig({ clipNorm: -1 }), { message: /metaTrain\.clipNorm: expected a norm ≥ 0 \(0: no clipping\)/ });
});

test('stepWeighting: linear weighs the loss after step s of the horizon by 2s/(H + 1); uniform by 1', (t) => {
  const task = randomQuadraticTask({ dimension: 3 });
  const problem = task.instantiate([4]);
  const rule = sgd({ learningRate: 0.1 });
  const horizon = 9;
  const run = (stepWeighting: 'uniform' | 'linear', from: number) =>
    tf.tidy(() => {
      const losses: number[] = [];
      let theta = problem.start;
      // The losses after each step, by hand.
      for (let s = 0; s < from + 3; s++) {
        const grad = tf.grad((x: tf.Tensor) => tf.sum(problem.loss(x as tf.Tensor2D, s)))(theta) as tf.Tensor2D;
        theta = tf.sub(theta, tf.mul(0.1, grad)) as tf.Tensor2D;
        losses.push(problem.loss(theta, s + 1).dataSync()[0]!);
      }
      let start = problem.start;
      for (let s = 0; s < from; s++) start = tf.sub(start, tf.mul(0.1, tf.grad((x: tf.Tensor) => tf.sum(problem.loss(x as tf.Tensor2D, s)))(start))) as tf.Tensor2D;
      const r = unroll(rule, problem, task, { theta: start, state: rule.init([start]), step: from }, 3, { metaLoss: 'sum', firstOrder: true, stepWeighting, horizon });
      return { got: r.metaLoss.dataSync()[0]!, losses: losses.slice(from) };
    });
  for (const from of [0, 5]) {
    const uniform = run('uniform', from);
    const linear = run('linear', from);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    t.true(Math.abs(uniform.got - mean(uniform.losses)) < 1e-5);
    const expected = mean(linear.losses.map((l, k) => ((2 * (from + k + 1)) / (horizon + 1)) * l));
    t.true(Math.abs(linear.got - expected) < 1e-5 * Math.max(1, expected), `from ${from}: ${linear.got} vs ${expected}`);
  }
  problem.dispose();
});
