/**
 * The MLP task's evaluation (the evaluation curve's full-set training loss and the
 * test metrics) shares its examples across rows: one product for the first layer
 * of every row. Checked here against each row's network written out by hand.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setupBackend } from '../src/backend/index.js';
import { mnistMlpTask } from '../src/tasks/index.js';
import { writeNoisyMnistPool } from './helpers/synthetic.js';

test.before(async () => {
  await setupBackend('cpu');
});

async function noisyMnist(n: number): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-mlp-eval-'));
  await writeNoisyMnistPool(root, 'noisy', n);
  return root;
}

/** Mean cross-entropy and accuracy of one row's 784-h-10 sigmoid net on x [n, 784], written out layer by layer. */
function byHand(row: Float32Array, hidden: number, x: tf.Tensor2D, labels: Int32Array): { loss: number; accuracy: number } {
  return tf.tidy(() => {
    const w1 = tf.tensor2d(row.subarray(0, 784 * hidden), [784, hidden]);
    const b1 = tf.tensor1d(row.subarray(784 * hidden, 784 * hidden + hidden));
    const at = 784 * hidden + hidden;
    const w2 = tf.tensor2d(row.subarray(at, at + hidden * 10), [hidden, 10]);
    const b2 = tf.tensor1d(row.subarray(at + hidden * 10, at + hidden * 10 + 10));
    const logits = tf.add(tf.matMul(tf.sigmoid(tf.add(tf.matMul(x, w1), b1)), w2), b2);
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
    const loss = tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))).dataSync()[0]!;
    const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(oneHot, 1)), 'float32')).dataSync()[0]!;
    return { loss, accuracy };
  });
}

test('evaluation with examples shared across rows equals each row evaluated alone, on both splits, without leaking tensors', async (t) => {
  const n = 50;
  const hidden = 3;
  const root = await noisyMnist(n);
  const task = mnistMlpTask({ dataset: 'noisy', dataDir: root, hidden: [hidden] });
  await task.prepare?.();
  const problem = task.instantiate([0, 1, 2]);
  // Distinct rows, large enough that the rows' predictions differ.
  const theta = tf.tidy(() => tf.add(problem.start, tf.randomNormal(problem.start.shape, 0, 0.05, 'float32', 7))) as tf.Tensor2D;
  const before = tf.memory().numTensors;
  const train = await problem.evaluate!(theta, { split: 'train' });
  const test5 = await problem.evaluate!(theta, { limit: 5 });
  t.is(tf.memory().numTensors, before);

  const rows = await theta.data();
  const pixels = Float32Array.from({ length: n * 784 }, (_, i) => ((i * 2654435761) % 251) / 255);
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % 10);
  const split = Math.floor(n * 0.8);
  for (let r = 0; r < 3; r++) {
    const row = (rows as Float32Array).subarray(r * task.dimension, (r + 1) * task.dimension);
    const xTrain = tf.tensor2d(pixels.subarray(0, split * 784), [split, 784]);
    const xTest = tf.tensor2d(pixels.subarray(split * 784, (split + 5) * 784), [5, 784]);
    const wantTrain = byHand(row, hidden, xTrain, labels.subarray(0, split));
    const wantTest = byHand(row, hidden, xTest, labels.subarray(split, split + 5));
    tf.dispose([xTrain, xTest]);
    t.true(Math.abs(train[r]!['trainLoss']! - wantTrain.loss) < 1e-5, `row ${r}: train loss ${train[r]!['trainLoss']} vs ${wantTrain.loss}`);
    t.true(Math.abs(train[r]!['trainAccuracy']! - wantTrain.accuracy) < 1e-6);
    t.true(Math.abs(test5[r]!['testLoss']! - wantTest.loss) < 1e-5, `row ${r}: test loss ${test5[r]!['testLoss']} vs ${wantTest.loss}`);
    t.true(Math.abs(test5[r]!['testAccuracy']! - wantTest.accuracy) < 1e-6);
  }
  // The rows differ, so a mix-up between rows would show.
  t.not(train[0]!['trainLoss'], train[1]!['trainLoss']);
  theta.dispose();
  problem.dispose();
});
