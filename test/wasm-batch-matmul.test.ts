/**
 * alphaopt's wasm BatchMatMul (explicit transposes, Aᵀ·B as (Bᵀ·A)ᵀ and A·Bᵀ as (B·Aᵀ)ᵀ where cheaper, large A·Bᵀ and Aᵀ·B read as they lie, one XNNPACK product per batch,
 * a shared right-hand operand as one taller product) against tfjs's cpu kernel, over batch layouts and broadcasts, without leaking wasm buffers.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.js';
import { computeOn, relativeError, seededValues } from './helpers/compare.js';

type Case = [a: number[], b: number[], transposeA: boolean, transposeB: boolean];

const CASES: Case[] = [
  [[3, 5, 7], [3, 7, 4], false, false],
  [[3, 7, 5], [3, 7, 4], true, false],
  [[3, 5, 7], [3, 4, 7], false, true],
  [[3, 7, 5], [3, 4, 7], true, true],
  [[5, 7], [3, 7, 4], false, false],
  [[1, 5, 7], [3, 7, 4], false, false],
  [[3, 5, 7], [7, 4], false, false],
  [[3, 5, 7], [1, 4, 7], false, true],
  [[2, 3, 5, 7], [2, 3, 7, 4], false, false],
  [[2, 3, 5, 7], [1, 1, 7, 4], false, false],
  [[1, 1, 7, 5], [2, 3, 7, 4], true, false],
  [[3, 5, 7], [1, 1, 7, 4], false, false],
  [[2, 1, 5, 7], [1, 3, 7, 4], false, false],
  [[4, 32, 50], [4, 32, 6], true, false],
  // Aᵀ·B computed as (Bᵀ·A)ᵀ (a dense layer's weight gradient): single, batched, broadcast.
  [[40, 60], [40, 3], true, false],
  [[2, 40, 60], [2, 40, 3], true, false],
  [[1, 40, 60], [3, 40, 3], true, false],
  [[3, 40, 60], [40, 3], true, false],
  // A·Bᵀ computed as (B·Aᵀ)ᵀ (a dense layer's input gradient dz·Wᵀ): single, batched, broadcast.
  [[3, 40], [60, 40], false, true],
  [[3, 41], [60, 41], false, true],
  [[2, 3, 40], [2, 60, 40], false, true],
  [[1, 3, 40], [3, 60, 40], false, true],
  [[3, 3, 40], [60, 40], false, true],
  // One product of at most 256 rows and columns a multiple of 8 runs unpacked (matMulUnpacked.ts): rows past a
  // multiple of 4, one row, k over several blocks of 512, the row limit and one past it, a single batch, transposed.
  [[5, 7], [7, 8], false, false],
  [[1, 40], [40, 24], false, false],
  [[3, 1100], [1100, 16], false, false],
  [[256, 30], [30, 8], false, false],
  [[257, 30], [30, 8], false, false],
  [[1, 6, 50], [1, 50, 16], false, false],
  [[50, 9], [50, 16], true, false],
  // Aᵀ·B with rows a multiple of 4, columns of 8 and at least 2¹⁶ outputs read as they lie (productTransposedA):
  // the MNIST CNN's k of 50, one row of a and b, a single batch; and an output just too small.
  [[50, 4096], [50, 16], true, false],
  [[1, 256], [1, 256], true, false],
  [[1, 7, 1024], [1, 7, 64], true, false],
  [[9, 4092], [9, 16], true, false],
  // A·Bᵀ of at most 256 rows, k a multiple of 4 and b of at least 2¹⁶ elements, as dot products (productTransposedB):
  // rows and columns past the tiles (4 rows, 2 columns), one row, one column, b over several blocks of 64 rows, the
  // row limit and one past it, a single batch; and a b just too small.
  [[7, 1024], [65, 1024], false, true],
  [[1, 65536], [1, 65536], false, true],
  [[50, 512], [131, 512], false, true],
  [[256, 4], [16385, 4], false, true],
  [[257, 4], [16384, 4], false, true],
  [[1, 6, 64], [1, 1025, 64], false, true],
  [[5, 64], [1023, 64], false, true],
];

const numDataIds = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();

for (const [shapeA, shapeB, transposeA, transposeB] of CASES) {
  test.serial(`wasm matMul matches cpu: [${shapeA}]${transposeA ? 'ᵀ' : ''} × [${shapeB}]${transposeB ? 'ᵀ' : ''}`, async (t) => {
    const product = () =>
      tf.tidy(() => {
        const a = tf.tensor(seededValues(shapeA.reduce((p, d) => p * d, 1), 1), shapeA);
        const b = tf.tensor(seededValues(shapeB.reduce((p, d) => p * d, 1), 2), shapeB);
        return [tf.matMul(a, b, transposeA, transposeB)];
      });
    const shapes: number[][] = [];
    const expected = await computeOn('cpu', () => product().map((p) => (shapes.push(p.shape), p)));
    await setupBackend('wasm');
    const buffers = numDataIds();
    const actual = await computeOn('wasm', () => product().map((p) => (shapes.push(p.shape), p)));
    t.deepEqual(shapes[1], shapes[0]);
    t.true(relativeError(actual[0]!, expected[0]!) <= 1e-5, `error ${relativeError(actual[0]!, expected[0]!)}`);
    t.is(numDataIds(), buffers, 'every intermediate buffer is freed');
  });
}
