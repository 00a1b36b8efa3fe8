/**
 * The wasm Slice that copies only the slice (src/backend/wasm/slice.ts) and the Cast that shares the buffer of a
 * tensor already of the dtype asked for (src/backend/wasm/identity.ts) against tfjs's cpu kernels: contiguous and
 * strided slices of every rank and numeric dtype, negative sizes, casts between dtypes (to bool: x ≠ 0, which the
 * wasm kernel got wrong); a shared cast outlives its input and allocates nothing. SplitV (slices through that Slice)
 * along every axis, by sizes (with −1) and by count, every numeric dtype, leaving no buffer behind.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { computeOn, seededValues } from './helpers/compare.js';

const SLICES: Array<{ shape: number[]; begin: number[]; size: number[]; dtype: 'float32' | 'int32' | 'bool' }> = [
  { shape: [78], begin: [10], size: [30], dtype: 'float32' },
  { shape: [78], begin: [0], size: [-1], dtype: 'float32' },
  { shape: [6, 5], begin: [2, 0], size: [3, 5], dtype: 'float32' },
  { shape: [6, 5], begin: [1, 1], size: [3, 2], dtype: 'float32' },
  { shape: [3, 4, 5, 2], begin: [1, 0, 0, 0], size: [1, 4, 5, 2], dtype: 'int32' },
  { shape: [3, 4, 5, 2], begin: [0, 1, 2, 0], size: [2, 2, 2, 2], dtype: 'float32' },
  { shape: [2, 3, 4], begin: [1, 2, 0], size: [1, 1, -1], dtype: 'bool' },
];

for (const c of SLICES) {
  test.serial(`slice on wasm equals cpu: [${c.shape}] from [${c.begin}] size [${c.size}] ${c.dtype}`, async (t) => {
    const compute = () =>
      tf.tidy(() => {
        const values = seededValues(c.shape.reduce((a, b) => a * b, 1), 21);
        const x = tf.cast(tf.mul(tf.tensor(values, c.shape), c.dtype === 'float32' ? 1 : 10), c.dtype);
        return [tf.cast(tf.slice(x, c.begin, c.size), 'float32')];
      });
    const [expected] = await computeOn('cpu', compute);
    const [actual] = await computeOn('wasm', compute);
    t.deepEqual(Array.from(actual!), Array.from(expected!));
  });
}

test.serial('a cast to the same dtype on wasm shares the buffer and outlives its input; other casts convert as on cpu', async (t) => {
  await computeOn('wasm', () => []);
  const x = tf.tensor([1.5, -2.25, 3, 0.75]);
  const buffers = tf.memory().numDataBuffers;
  const same = tf.cast(x, 'float32');
  t.is(tf.memory().numDataBuffers, buffers, 'no new buffer for a cast to the same dtype');
  x.dispose();
  t.deepEqual(Array.from(await same.data()), [1.5, -2.25, 3, 0.75]);
  same.dispose();
  const compute = () => tf.tidy(() => [tf.cast(tf.cast(tf.tensor([1.5, -2.25, 3, 0, 0.75]), 'int32'), 'float32'), tf.cast(tf.cast(tf.tensor([1.5, 0, -2.25, 0.3, 256, NaN, -0]), 'bool'), 'float32'), tf.cast(tf.cast(tf.tensor([3, 0, -256], undefined, 'int32'), 'bool'), 'int32')]);
  const expected = await computeOn('cpu', compute);
  const actual = await computeOn('wasm', compute);
  t.deepEqual(actual.map((a) => Array.from(a)), expected.map((e) => Array.from(e)));
});

const SPLITS: Array<{ shape: number[]; splits: number | number[]; axis: number; dtype: 'float32' | 'int32' | 'bool' }> = [
  { shape: [101], splits: [50, 1, 40, 10], axis: 0, dtype: 'float32' },
  { shape: [12], splits: 3, axis: 0, dtype: 'int32' },
  { shape: [7, 3], splits: [2, -1], axis: 0, dtype: 'float32' },
  { shape: [5, 7], splits: [3, 4], axis: 1, dtype: 'float32' },
  { shape: [1, 9, 2], splits: [4, 5], axis: 1, dtype: 'float32' },
  { shape: [2, 3, 4], splits: 2, axis: -1, dtype: 'bool' },
];

for (const c of SPLITS) {
  test.serial(`split on wasm equals cpu: [${c.shape}] into ${JSON.stringify(c.splits)} along ${c.axis}, ${c.dtype}`, async (t) => {
    const compute = () =>
      tf.tidy(() => {
        const values = seededValues(c.shape.reduce((a, b) => a * b, 1), 22);
        const x = tf.cast(tf.mul(tf.tensor(values, c.shape), c.dtype === 'float32' ? 1 : 10), c.dtype);
        return tf.split(x, c.splits, c.axis).map((piece) => tf.cast(piece, 'float32'));
      });
    const expected = await computeOn('cpu', compute);
    const buffers = tf.memory().numDataBuffers;
    const actual = await computeOn('wasm', compute);
    t.is(tf.memory().numDataBuffers, buffers);
    t.deepEqual(actual.map((a) => Array.from(a)), expected.map((e) => Array.from(e)));
  });
}

// Concat along an inner axis of narrow pieces (src/backend/wasm/concat.ts) against cpu: columns of 1 and 2 (the
// LSTM optimizer's preprocessing), several pieces of unequal widths, rank 3 along the middle and last axes, a
// negative axis, an empty piece, int32; wide pieces and axis 0 stay with tfjs's kernel and must agree too.
const CONCATS: Array<{ shapes: number[][]; axis: number; dtype: 'float32' | 'int32' }> = [
  { shapes: [[7, 1], [7, 1]], axis: 1, dtype: 'float32' },
  { shapes: [[5, 2], [5, 1], [5, 3]], axis: 1, dtype: 'float32' },
  { shapes: [[3, 2, 4], [3, 1, 4]], axis: 1, dtype: 'int32' },
  { shapes: [[3, 2, 1], [3, 2, 5]], axis: -1, dtype: 'float32' },
  { shapes: [[4, 0], [4, 3], [4, 1]], axis: 1, dtype: 'float32' },
  { shapes: [[2, 40], [2, 3]], axis: 1, dtype: 'float32' },
  { shapes: [[3, 2], [4, 2]], axis: 0, dtype: 'int32' },
];

for (const c of CONCATS) {
  test.serial(`concat on wasm equals cpu: ${c.shapes.map((s) => `[${s}]`).join(' + ')} along ${c.axis}, ${c.dtype}`, async (t) => {
    const compute = () =>
      tf.tidy(() => {
        const pieces = c.shapes.map((shape, k) => tf.cast(tf.mul(tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), 30 + k), shape), c.dtype === 'float32' ? 1 : 100), c.dtype));
        return [tf.cast(tf.concat(pieces, c.axis), 'float32')];
      });
    const [expected] = await computeOn('cpu', compute);
    const [actual] = await computeOn('wasm', compute);
    t.deepEqual(Array.from(actual!), Array.from(expected!));
  });
}

test.serial('concat on wasm copies bit patterns: NaN payloads and −0 arrive unchanged', async (t) => {
  await computeOn('wasm', () => []);
  const bits = Uint32Array.from([0x7fc00001, 0xffc12345, 0x80000000, 0x3f800000]);
  const a = tf.tensor2d(new Float32Array(bits.buffer), [4, 1]);
  const b = tf.tensor2d([1, 2, 3, 4], [4, 1]);
  const joined = tf.concat([a, b], 1);
  const out = new Uint32Array(((await joined.data()) as Float32Array).slice().buffer);
  t.deepEqual(Array.from(out.filter((_, i) => i % 2 === 0)), Array.from(bits));
  tf.dispose([a, b, joined]);
});
