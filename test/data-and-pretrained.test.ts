/** IDX reading (fixtures written here), the MNIST-MLP task on a fixture dataset, and the shipped checkpoints. */
import test from 'ava';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { DataFormatError, parseIdx } from '../src/data/idx.js';
import { MissingDataError, loadMnistLike } from '../src/data/mnist.js';
import { loadPretrained, pretrainedNames } from '../src/learned/index.js';
import { mnistMlpTask } from '../src/tasks/index.js';
import { sgd } from '../src/rules/index.js';
import { runGroup } from '../src/suite/execute.js';
import { toTfjsOptimizer } from '../src/learned/tfjsOptimizer.js';

test.before(async () => {
  await setupBackend('cpu');
});

function idx(shape: number[], data: Uint8Array, type = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * shape.length);
  const view = new DataView(header.buffer);
  header[2] = type;
  header[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return new Uint8Array([...header, ...data]);
}

test('IDX files parse, gzipped or not; bad headers and sizes are named', (t) => {
  const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
  const plain = parseIdx(idx([2, 3, 4], data));
  t.deepEqual(plain.shape, [2, 3, 4]);
  t.deepEqual([...plain.data], [...data]);
  t.deepEqual([...parseIdx(gzipSync(idx([2, 3, 4], data)), 'x.gz').data], [...data]);
  t.throws(() => parseIdx(idx([2, 3, 5], data), 'short.idx'), { instanceOf: DataFormatError, message: /short\.idx: header says 2×3×5 = 30 bytes of data, file has 24/ });
  t.throws(() => parseIdx(idx([24], data, 0x0d), 'floats.idx'), { message: /floats\.idx: element type 0xd is not unsigned byte/ });
  t.throws(() => parseIdx(new Uint8Array([1, 2, 3, 4]), 'junk'), { message: /junk: not an IDX file/ });
});

/** A tiny MNIST-format pool: class c images are bright in row c. */
async function fixtureDataDir(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-data-'));
  const n = 50;
  const images = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 10;
    for (let col = 0; col < 28; col++) images[i * 784 + (i % 10) * 28 + col] = 255;
  }
  await mkdir(path.join(root, 'tiny'), { recursive: true });
  await writeFile(path.join(root, 'tiny', 'images-idx3-ubyte.gz'), gzipSync(idx([n, 28, 28], images)));
  await writeFile(path.join(root, 'tiny', 'labels-idx1-ubyte.gz'), gzipSync(idx([n], labels)));
  return root;
}

test('a dataset pool splits 80/20; a missing dataset says where it looked and what to put there', async (t) => {
  const root = await fixtureDataDir();
  const data = await loadMnistLike('tiny', root);
  t.is(data.trainLabels.length, 40);
  t.is(data.testLabels.length, 10);
  t.is(data.trainImages[3 * 784 + 3 * 28], 1);
  const error = await t.throwsAsync(loadMnistLike('absent-set', root), { instanceOf: MissingDataError });
  t.regex(error!.message, /dataset 'absent-set' not found; looked in .*absent-set.*train-images-idx3-ubyte\.gz.*ALPHAOPT_DATA/);
});

test('the MNIST-MLP task trains: loss falls under gradient descent and test accuracy is reported per run', async (t) => {
  const root = await fixtureDataDir();
  const task = mnistMlpTask({ dataset: 'tiny', dataDir: root, hidden: [8], batchSize: 16 });
  await task.prepare!();
  t.is(task.dimension, 784 * 8 + 8 + 8 * 10 + 10);
  const problem = task.instantiate([0, 1]);
  let theta = tf.clone(problem.start);
  const first = await problem.loss(theta, 0).data();
  for (let step = 0; step < 60; step++) {
    const next = tf.tidy(() => {
      const g = tf.grad((x: tf.Tensor) => problem.loss(x as tf.Tensor2D, step).sum())(theta);
      return tf.sub(theta, tf.mul(g, 0.5)) as tf.Tensor2D;
    });
    theta.dispose();
    theta = next;
  }
  const last = await problem.loss(theta, 60).data();
  t.true(last[0]! < 0.5 * first[0]! && last[1]! < 0.5 * first[1]!, `loss ${first} → ${last}`);
  const metrics = await problem.evaluate!(theta);
  t.is(metrics.length, 2);
  t.true(metrics.every((m) => m['testAccuracy']! > 0.5 && Number.isFinite(m['testLoss'])));
  theta.dispose();
  problem.dispose();
});

test('shipped LSTM checkpoints load with one call and train a model they were not trained on', async (t) => {
  t.true(pretrainedNames().includes('lstm-quadratic'));
  const optimizer = await loadPretrained('lstm-quadratic');
  t.is(optimizer.kind, 'lstm');
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [4], units: 6, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }), tf.layers.dense({ units: 1 })],
  });
  model.compile({ optimizer: toTfjsOptimizer(optimizer, 'frozen'), loss: 'meanSquaredError' });
  const x = tf.randomNormal([64, 4], 0, 1, 'float32', 3);
  const y = tf.sum(tf.mul(x, tf.tensor1d([0.5, -1, 0.25, 2])), 1, true);
  const history = await model.fit(x, y, { epochs: 40, batchSize: 64, verbose: 0 });
  const losses = history.history['loss'] as number[];
  t.true(losses.at(-1)! < 0.5 * losses[0]!, `loss ${losses[0]} → ${losses.at(-1)}`);
  await t.throwsAsync(loadPretrained('lstm-imagenet'), { message: /no pretrained optimizer 'lstm-imagenet'; available: .*lstm-quadratic/ });
  model.optimizer.dispose();
  model.dispose();
  tf.dispose([x, y]);
  optimizer.dispose();
});

test('runs check test accuracy every N steps and record the steps to reach the target; evaluation in chunks agrees with a limit', async (t) => {
  const root = await fixtureDataDir();
  const task = mnistMlpTask({ dataset: 'tiny', dataDir: root, hidden: [], batchSize: 16 });
  await task.prepare!();
  const records = await runGroup({
    task,
    optimizer: 'sgd',
    rows: [0, 1].map((seed) => ({ seed, hparams: {} })),
    steps: 30,
    backend: 'cpu',
    buildRule: () => ({ rule: sgd({ learningRate: 0.5 }), dispose: () => undefined }),
    evaluateEvery: 5,
    evaluationLimit: 10,
    targetAccuracy: 0.6,
  });
  for (const r of records) {
    t.is(r.metrics!['reachedTargetAccuracy'], 1);
    const at = r.metrics!['stepsToTargetAccuracy']!;
    t.true(at > 0 && at <= 30 && at % 5 === 0, `reached at ${at}`);
  }
  // A limit evaluates the first examples only; no limit covers the whole held-out split.
  const problem = task.instantiate([3]);
  const [all] = await problem.evaluate!(problem.start);
  const [few] = await problem.evaluate!(problem.start, { limit: 4 });
  t.true(Number.isFinite(all!['testLoss']) && Number.isFinite(few!['testLoss']));
  t.true([0, 0.25, 0.5, 0.75, 1].includes(few!['testAccuracy']!), `accuracy over 4 examples: ${few!['testAccuracy']}`);
  problem.dispose();
});
