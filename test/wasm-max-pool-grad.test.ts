/**
 * MaxPoolGrad on wasm (src/backend/wasm/maxPoolGrad.ts: the SIMD pass in kernels.wat, four channels at a time, the
 * pass for windows side by side, and its scalar fallback) agrees exactly with tfjs's cpu kernel: each output's gradient goes to its window's first
 * maximum in scan order, ties after ReLU included, overlapping windows included; over channel
 * counts around the vector width, paddings, strides below, at and above the window, batch 1. And the scalar pass
 * gives the SIMD pass's bits, NaN and −∞ in the windows and −0 in the gradient included.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { computeOn, seededValues } from './helpers/compare.js';
import { maxPoolGradScalar } from '../src/backend/wasm/maxPoolGrad.js';

type Pad = 'same' | 'valid' | number;
interface PoolCase {
  x: [number, number, number, number];
  size: number | [number, number];
  strides: number | [number, number];
  pad: Pad;
}

const CASES: PoolCase[] = [
  { x: [2, 8, 8, 32], size: 2, strides: 2, pad: 'valid' },
  { x: [1, 7, 9, 3], size: 3, strides: 2, pad: 'same' },
  { x: [2, 6, 6, 5], size: 3, strides: 1, pad: 'same' },
  { x: [3, 5, 7, 8], size: 2, strides: 1, pad: 'valid' },
  { x: [1, 9, 8, 13], size: [3, 2], strides: [2, 3], pad: 'same' },
  { x: [2, 6, 5, 4], size: 3, strides: 2, pad: 1 },
  { x: [1, 4, 4, 1], size: 2, strides: 2, pad: 'valid' },
  { x: [2, 9, 7, 6], size: 3, strides: 3, pad: 'same' },
  { x: [1, 7, 7, 8], size: 2, strides: 3, pad: 'valid' },
  // Windows side by side (maxPoolGradDisjoint): a last row and column in no window, a non-square window, 'same'
  // that pads nothing.
  { x: [3, 9, 7, 8], size: 2, strides: 2, pad: 'valid' },
  { x: [1, 6, 9, 4], size: [2, 3], strides: [2, 3], pad: 'valid' },
  { x: [2, 8, 6, 12], size: 2, strides: 2, pad: 'same' },
];
const label = (c: PoolCase) => `x${c.x.join('x')} k${c.size} s${c.strides} ${c.pad}`;

for (const c of CASES) {
  test.serial(`maxPool gradient on wasm equals cpu bit for bit, ties after relu included: ${label(c)}`, async (t) => {
    const size = c.x.reduce((a, b) => a * b, 1);
    // Quantised values, so windows hold ties before ReLU too.
    const values = seededValues(size, 11).map((v) => Math.round(v * 4) / 4);
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(values, c.x);
        const f = (xx: tf.Tensor) => {
          const y = tf.maxPool(tf.relu(xx) as tf.Tensor4D, c.size, c.strides, c.pad);
          // Whole-number weights: dx sums them exactly in any order (the cpu kernel adds in float64, the wasm passes
          // in float32), so bit equality tests where each gradient went.
          return tf.sum(tf.mul(y, tf.tensor(seededValues(y.size, 12).map((v) => Math.round(v * 8)), y.shape)));
        };
        return [tf.grad(f)(x)];
      });
    const [expected] = await computeOn('cpu', grads);
    const [actual] = await computeOn('wasm', grads);
    t.deepEqual(Array.from(actual!), Array.from(expected!));
  });
}

test.serial('the scalar MaxPoolGrad pass gives the SIMD pass bit for bit, NaN, −∞ and −0 included', async (t) => {
  for (const c of CASES) {
    const size = c.x.reduce((a, b) => a * b, 1);
    const x = seededValues(size, 13).map((v, i) => (i % 17 === 0 ? NaN : i % 11 === 0 ? -Infinity : Math.round(v * 4) / 4));
    const info = tf.backend_util.computePool2DInfo(c.x, c.size, c.strides, 1, c.pad);
    // −0 among the gradients: both passes give 0 + dy, as the cpu kernel does.
    const dyValues = seededValues(info.outShape.reduce((a, b) => a * b, 1), 14).map((v, i) => (i % 5 === 0 ? -0 : v));
    const [simd] = await computeOn('wasm', () =>
      tf.tidy(() => {
        const input = tf.tensor4d(x, c.x);
        const output = tf.maxPool(input, c.size, c.strides, c.pad);
        const dy = tf.tensor(dyValues, info.outShape);
        return [tf.engine().runKernel('MaxPoolGrad', { dy, input, output }, { filterSize: c.size, strides: c.strides, pad: c.pad }) as tf.Tensor];
      }),
    );
    const scalar = new Float32Array(size);
    maxPoolGradScalar(x, dyValues, scalar, info);
    t.deepEqual(Array.from(simd!), Array.from(scalar), label(c));
  }
});
