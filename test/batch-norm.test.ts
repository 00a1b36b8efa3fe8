/**
 * The conv nets' batch norm with its written-out gradient against the taped composite it replaced (moments,
 * subtract, divide, multiply, add): values, first-order gradients and second-order ones (MAML differentiates
 * through the gradient), over a grid of shapes, on cpu and wasm; and no tensor leaks.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { computeOn, relativeError, seededValues } from './helpers/compare.js';
import { batchNorm } from '../src/tasks/batchNorm.js';

function composite(x: tf.Tensor, scale: tf.Tensor, shift: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), scale), shift);
}

type Norm = (x: tf.Tensor, scale: tf.Tensor, shift: tf.Tensor) => tf.Tensor;

/** y, dy/d(x, scale, shift) of Σ y·w, and d/d(x, scale) of Σ (dx · v): the second order. */
function outputs(norm: Norm, shape: [number, number, number, number]): () => tf.Tensor[] {
  return () =>
    tf.tidy(() => {
      const size = shape.reduce((a, b) => a * b, 1);
      const c = shape[3];
      // An offset and a spread per channel, so the statistics are not those of the raw values.
      const x = tf.add(tf.mul(tf.tensor(seededValues(size, 80), shape), 3), 0.5);
      const scale = tf.tensor1d(seededValues(c, 81).map((v) => 1 + v / 2));
      const shift = tf.tensor1d(seededValues(c, 82));
      const w = tf.tensor(seededValues(size, 83), shape);
      const v = tf.tensor(seededValues(size, 84), shape);
      const loss = (a: tf.Tensor, b: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(norm(a, b, s), w));
      const first = tf.grads(loss as (...t: tf.Tensor[]) => tf.Tensor)([x, scale, shift]);
      const second = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
        const [dx] = tf.grads((p: tf.Tensor) => loss(p, b, shift))([a]);
        return tf.sum(tf.mul(dx!, v));
      })([x, scale]);
      return [norm(x, scale, shift), ...first, ...second];
    });
}

const SHAPES: Array<[number, number, number, number]> = [
  [2, 3, 4, 5],
  [4, 1, 1, 3],
  [1, 5, 5, 2],
  [8, 6, 6, 16],
];

for (const shape of SHAPES) {
  for (const backend of ['cpu', 'wasm'] as const) {
    test.serial(`batchNorm equals the taped composite in value, gradient and second order on ${backend}: x${shape.join('x')}`, async (t) => {
      const expected = await computeOn(backend, outputs(composite, shape));
      const actual = await computeOn(backend, outputs(batchNorm, shape));
      const names = ['y', 'dx', 'dscale', 'dshift', 'd²/dx', 'd²/dscale'];
      t.is(actual.length, names.length);
      actual.forEach((a, i) => t.true(relativeError(a, expected[i]!) <= 1e-4, `${names[i]}: ${relativeError(a, expected[i]!)}`));
    });
  }
}

test.serial('batchNorm keeps no tensors after its gradient, and refuses a rank other than 4', async (t) => {
  await computeOn('cpu', () => []);
  const x = tf.tensor(seededValues(2 * 3 * 3 * 4, 85), [2, 3, 3, 4]);
  const scale = tf.ones([4]);
  const shift = tf.zeros([4]);
  const before = tf.memory().numTensors;
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, s: tf.Tensor) => tf.sum(tf.square(batchNorm(a, b, s))))([x, scale, shift]);
  t.is(tf.memory().numTensors, before + 3);
  tf.dispose([...grads, x, scale, shift]);
  t.throws(() => batchNorm(tf.zeros([3, 4]), tf.ones([4]), tf.zeros([4])), { message: /rank 4/ });
});
