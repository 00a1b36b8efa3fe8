/**
 * The dense stack's written-out loss-and-gradient (the MNIST MLP task's step): the same loss and the gradient
 * tf.grad takes of the taped composite, on cpu and wasm, over depths and activations; exact higher derivatives
 * under an outer tape (second-order BPTT differentiates through it); fewer kernels than the taped step; no leaks.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setupBackend } from '../src/backend/index.js';
import { lossAndGrad } from '../src/loop/lossAndGrad.js';
import { DenseStack, type DenseActivation } from '../src/tasks/denseStack.js';
import { mnistMlpTask } from '../src/tasks/index.js';
import type { Problem } from '../src/tasks/types.js';
import { computeOn, relativeError, seededValues } from './helpers/compare.js';
import { writeNoisyMnistPool } from './helpers/synthetic.js';

interface Case {
  sizes: number[];
  activation: DenseActivation;
  rows: number;
  batch: number;
}

const CASES: Case[] = [
  { sizes: [7, 5, 3], activation: 'sigmoid', rows: 2, batch: 4 },
  { sizes: [6, 4, 5, 3], activation: 'relu', rows: 3, batch: 5 },
  { sizes: [5, 6, 4, 3, 4], activation: 'sigmoid', rows: 2, batch: 3 },
  { sizes: [6, 3], activation: 'relu', rows: 1, batch: 4 },
];

const label = (c: Case) => `${c.sizes.join('-')} ${c.activation}, ${c.rows} rows, batch ${c.batch}`;

/** θ, x and one-hot y for a case, from fixed values (identical on every backend). */
function inputs(net: DenseStack, c: Case): { theta: tf.Tensor2D; x: tf.Tensor3D; y: tf.Tensor3D } {
  const classes = c.sizes[c.sizes.length - 1]!;
  return tf.tidy(() => ({
    theta: tf.tensor2d(seededValues(c.rows * net.dimension, 1), [c.rows, net.dimension]),
    x: tf.tensor3d(seededValues(c.rows * c.batch * c.sizes[0]!, 2), [c.rows, c.batch, c.sizes[0]!]),
    y: tf.oneHot(tf.tensor2d(Array.from({ length: c.rows * c.batch }, (_, i) => (i * 7 + 1) % classes), [c.rows, c.batch], 'int32'), classes).toFloat() as tf.Tensor3D,
  }));
}

for (const backend of ['cpu', 'wasm'] as const) {
  for (const c of CASES) {
    test.serial(`${backend}: the written-out loss and gradient equal the taped composite's: ${label(c)}`, async (t) => {
      const net = new DenseStack(c.sizes, c.activation);
      const [rows, grad, wantRows, wantGrad] = await computeOn(backend, () => {
        const { theta, x, y } = inputs(net, c);
        const before = tf.memory().numTensors;
        const mine = net.lossAndGrad(theta, x, y);
        t.is(tf.memory().numTensors, before + 2, 'only the loss rows and the gradient remain');
        const taped = tf.grad((p: tf.Tensor) => tf.sum(net.loss(p as tf.Tensor2D, x, y)))(theta);
        const out = [mine.rows, mine.grad, net.loss(theta, x, y), taped];
        tf.dispose([theta, x, y]);
        return out;
      });
      t.deepEqual(rows, wantRows, 'the loss values are the same numbers');
      t.true(relativeError(grad!, wantGrad!) <= 1e-5, `gradient error ${relativeError(grad!, wantGrad!)}`);
    });
  }
}

test.serial('cpu: second derivatives through the written-out gradient match finite differences (an outer tape sees ordinary ops)', async (t) => {
  await setupBackend('cpu');
  for (const c of CASES) {
    const net = new DenseStack(c.sizes, c.activation);
    const { theta, x, y } = inputs(net, c);
    const v = tf.tensor2d(seededValues(c.rows * net.dimension, 3), [c.rows, net.dimension]);
    const gradAt = (p: tf.Tensor2D) => net.lossAndGrad(p, x, y).grad;
    // H v as the gradient of ∇L · v (H is symmetric), against (∇L(θ + εv) − ∇L(θ − εv)) / 2ε.
    const hv = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(gradAt(p as tf.Tensor2D), v)))(theta);
    const epsilon = 1e-2;
    const differences = tf.tidy(() => tf.div(tf.sub(gradAt(tf.add(theta, tf.mul(v, epsilon)) as tf.Tensor2D), gradAt(tf.sub(theta, tf.mul(v, epsilon)) as tf.Tensor2D)), 2 * epsilon));
    // The taped composite fails this (error ~1): tf.logSoftmax saves its output outside the tape, so its second derivative misses the softmax's curvature.
    const error = relativeError(await hv.data(), await differences.data());
    t.true(error <= 1e-3, `${label(c)}: H·v error ${error}`);
    tf.dispose([theta, x, y, v, hv, differences]);
  }
});

async function noisyMnist(n: number): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-dense-stack-'));
  await writeNoisyMnistPool(root, 'noisy', n);
  return root;
}

/** The same problem with the task's written-out gradient hidden: the loop falls back to tf.grad of `loss`. */
const tapedOnly = (problem: Problem): Problem => ({ ...problem, lossAndGrad: undefined as never });

test.serial('cpu: the MNIST MLP task steps with the written-out gradient: same loss and gradient as tf.grad, fewer than half the kernels, no leaks', async (t) => {
  await setupBackend('cpu');
  const root = await noisyMnist(60);
  const task = mnistMlpTask({ dataset: 'noisy', dataDir: root, batchSize: 16 });
  await task.prepare!();
  const problem = task.instantiate([0, 1, 2]);
  t.truthy(problem.lossAndGrad);
  const theta = tf.tidy(() => tf.add(problem.start, tf.randomNormal(problem.start.shape, 0, 0.05, 'float32', 7))) as tf.Tensor2D;
  for (const step of [0, 1]) {
    tf.dispose(problem.loss(theta, step)); // the step's minibatch, which the problem caches until the next step
    const before = tf.memory().numTensors;
    const mine = lossAndGrad(task, problem, theta, step);
    const taped = lossAndGrad(task, tapedOnly(problem), theta, step);
    t.deepEqual(await mine.rows.data(), await taped.rows.data());
    t.true(relativeError(await mine.grad.data(), await taped.grad.data()) <= 1e-5);
    tf.dispose([mine.rows, mine.grad, taped.rows, taped.grad]);
    t.is(tf.memory().numTensors, before, 'no tensor outlives the step');
  }
  const kernels = async (p: Problem) => (await tf.profile(() => tf.dispose(Object.values(lossAndGrad(task, p, theta, 0))))).kernels.length;
  const [written, viaTape] = [await kernels(problem), await kernels(tapedOnly(problem))];
  // 784-20-10: 34 kernels written out, 86 through the tape (the Identity, Pad and Reshape kernels of its slices and broadcasts).
  t.true(written <= 36, `${written} kernels per loss-and-gradient`);
  t.true(viaTape > 40, `${viaTape} kernels through the tape`);
  theta.dispose();
  problem.dispose();
});

test.serial('cpu: second-order meta-gradients through the MNIST MLP task’s gradient match finite differences', async (t) => {
  await setupBackend('cpu');
  const root = await noisyMnist(40);
  const task = mnistMlpTask({ dataset: 'noisy', dataDir: root, hidden: [4, 3], activation: 'relu', batchSize: 8 });
  await task.prepare!();
  const problem = task.instantiate([5, 6]);
  const v = tf.tensor2d(seededValues(2 * task.dimension, 4), [2, task.dimension]);
  // θ = φ·θ₀ with a scalar meta-parameter φ; the meta-loss ∇L(θ)·v depends on φ only through the gradient.
  const metaLoss = (phi: tf.Scalar) => {
    const { rows, grad } = lossAndGrad(task, problem, tf.mul(problem.start, phi) as tf.Tensor2D, 0, { firstOrder: false });
    rows.dispose();
    return tf.sum(tf.mul(grad, v)) as tf.Scalar;
  };
  const phi = tf.variable(tf.scalar(1.3), true, 'dense-stack-test-phi');
  const { value, grads } = tf.variableGrads(() => metaLoss(phi), [phi]);
  const epsilon = 1e-2;
  const [up, down] = [tf.tidy(() => metaLoss(tf.scalar(1.3 + epsilon))), tf.tidy(() => metaLoss(tf.scalar(1.3 - epsilon)))];
  const want = ((await up.data())[0]! - (await down.data())[0]!) / (2 * epsilon);
  const got = (await grads[phi.name]!.data())[0]!;
  t.true(Math.abs(got - want) <= 2e-3 * Math.max(1, Math.abs(want)), `∂/∂φ ${got} vs finite differences ${want}`);
  tf.dispose([value, grads[phi.name]!, up, down, phi, v]);
  problem.dispose();
});
