/**
 * The residual building blocks of the flat-parameter conv nets and the CIFAR
 * ResNet-8 reference: parameter layout, shapes, the shortcut, agreement of the
 * wasm training kernels with cpu through strided residual blocks, and training on
 * a SYNTHETIC CIFAR-10 stand-in (plumbing only, never a CIFAR-10 result).
 */
import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { taskFromSpec } from '../src/tasks/registry.js';
import { convNet, imageClassifierTask, resNet } from '../src/tasks/index.js';
import { lossAndGrad } from '../src/loop/lossAndGrad.js';
import { computeOn, relativeError, seededValues } from './helpers/compare.js';
import { writeSyntheticCifar10 } from './helpers/synthetic.js';

let root = '';

test.before(async () => {
  await setupBackend('cpu');
  root = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-synthetic-cifar-'));
  await writeSyntheticCifar10(root, 16);
});

test.serial('ResNet-8 has He et al.’s layout: parameter count, strided stages, one logit per class', async (t) => {
  const net = resNet(10, 16);
  const conv = (k: number, cin: number, cout: number) => k * k * cin * cout;
  const bn = (c: number) => 2 * c;
  const stem = conv(3, 3, 16) + 16 + bn(16);
  const block16 = conv(3, 16, 16) + bn(16) + conv(3, 16, 16) + bn(16);
  // Width changes with stride 2: a 1×1 projection with its own batch norm on the shortcut.
  const block32 = conv(3, 16, 32) + bn(32) + conv(3, 32, 32) + bn(32) + conv(1, 16, 32) + bn(32);
  const block64 = conv(3, 32, 64) + bn(64) + conv(3, 64, 64) + bn(64) + conv(1, 32, 64) + bn(64);
  t.is(net.dimension, stem + block16 + block32 + block64 + 64 * 10 + 10);
  t.is(net.dimension, 78_058);
  const theta = tf.tensor1d(net.initialize(() => 0.1));
  const logits = net.forward(theta, tf.zeros([3, 32, 32, 3]) as tf.Tensor4D);
  t.deepEqual(logits.shape, [3, 10]);
  // Feature maps: 32 → 32 (stage 1) → 16 (stride 2) → 8 (stride 2); a 4×4 input leaves 1×1 after two halvings.
  const small = convNet([5, 5, 2], [{ type: 'residual', filters: 3, stride: 2 }, { type: 'residual', filters: 3, stride: 2 }, { type: 'globalAvgPool' }, { type: 'dense', units: 4 }]);
  const out = small.forward(tf.tensor1d(small.initialize(() => 0.1)), tf.ones([2, 5, 5, 2]) as tf.Tensor4D);
  t.deepEqual(out.shape, [2, 4]);
  tf.dispose([theta, logits, out]);
});

test.serial('a residual block with an identity shortcut passes relu(x) through when its branch is silenced', (t) => {
  // One block, 2 → 2 channels, stride 1: slots w1, γ1, β1, w2, γ2, β2. With γ2 = β2 = 0 the branch is zero.
  const net = convNet([4, 4, 2], [{ type: 'residual', filters: 2 }]);
  t.is(net.dimension, 36 + 4 + 36 + 4);
  const theta = Float32Array.from(seededValues(net.dimension, 5));
  theta.fill(0, 36 + 4 + 36, 36 + 4 + 36 + 4);
  const x = tf.tensor4d(seededValues(32, 6), [1, 4, 4, 2]);
  const y = net.forward(tf.tensor1d(theta), x) as unknown as tf.Tensor4D;
  t.true(relativeError(y.dataSync(), tf.relu(x).dataSync()) < 1e-6);
  // With the branch on, the output differs from relu(x) (the block is not a no-op).
  const on = net.forward(tf.tensor1d(seededValues(net.dimension, 5)), x);
  t.true(relativeError(on.dataSync(), tf.relu(x).dataSync()) > 1e-2);
  tf.dispose([x, y, on]);
});

test.serial('the loss and gradient of a ResNet-8 on wasm (strided convs, projections, batch norm) match cpu', async (t) => {
  const net = resNet(10, 4);
  const theta = net.initialize(((values) => { let i = 0; return () => values[i++ % values.length]!; })(seededValues(997, 7)));
  const images = seededValues(2 * 32 * 32 * 3, 8);
  const labels = [3, 7].map((k) => Array.from({ length: 10 }, (_, i) => (i === k ? 1 : 0)));
  const compute = () =>
    tf.tidy(() => {
      const f = (p: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.tensor2d(labels), net.forward(p as tf.Tensor1D, tf.tensor4d(images, [2, 32, 32, 3])));
      const { value, grad } = tf.valueAndGrad(f)(tf.tensor1d(theta));
      return [value, grad];
    });
  const [cpuLoss, cpuGrad] = await computeOn('cpu', compute);
  const [wasmLoss, wasmGrad] = await computeOn('wasm', compute);
  await setupBackend('cpu');
  t.true(Math.abs(wasmLoss![0]! - cpuLoss![0]!) < 1e-4 * Math.abs(cpuLoss![0]!), `loss ${wasmLoss![0]} vs ${cpuLoss![0]}`);
  t.true(relativeError(wasmGrad!, cpuGrad!) < 1e-3, `gradient relative error ${relativeError(wasmGrad!, cpuGrad!)}`);
});

test.serial('resnet-cifar trains on a synthetic CIFAR-10 stand-in without leaking (wasm), and refuses MNIST-format data', async (t) => {
  // On wasm: the pure-JS cpu backend takes minutes for these few steps.
  await setupBackend('wasm');
  const task = imageClassifierTask({ dataset: 'cifar-10', net: 'resnet-cifar', batchSize: 8, dataDir: root });
  t.is(task.dimension, 78_058);
  await task.prepare!();
  const problem = task.instantiate([0, 1]);
  let theta = tf.clone(problem.start);
  const first = lossAndGrad(task, problem, theta, 0);
  const before = Array.from(await first.rows.data());
  tf.dispose([first.rows, first.grad]);
  const tensors = tf.memory().numTensors;
  for (let step = 0; step < 8; step++) {
    // The same minibatch each step, so the loss must fall.
    const { rows, grad } = lossAndGrad(task, problem, theta, 0);
    const next = tf.tidy(() => tf.sub(theta, tf.mul(0.05, grad)));
    tf.dispose([rows, grad, theta]);
    theta = next as tf.Tensor2D;
  }
  t.is(tf.memory().numTensors, tensors, 'no tensor leaks across steps');
  const last = lossAndGrad(task, problem, theta, 0);
  const after = Array.from(await last.rows.data());
  tf.dispose([last.rows, last.grad]);
  t.true(after.every((l, r) => l < 0.7 * before[r]!), `minibatch loss ${before} → ${after}`);
  const metrics = await problem.evaluate!(theta);
  t.true(metrics.every((m) => m['testAccuracy']! >= 0 && m['testAccuracy']! <= 1 && Number.isFinite(m['testLoss'])));
  theta.dispose();
  problem.dispose();
  await setupBackend('cpu');
  t.throws(() => taskFromSpec({ task: 'imageClassifier', options: { dataset: 'mnist-10k', net: 'resnet-cifar' } }, 'suite.tasks[1]'), {
    message: /suite\.tasks\[1\]\.options\.net: net 'resnet-cifar' does not fit dataset 'mnist-10k'/,
  });
});
