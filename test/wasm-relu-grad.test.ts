/**
 * ReLU's gradient as one fused kernel on wasm (src/backend/reluGradient.ts, src/backend/wasm/reluGrad.ts): the same
 * bits as tfjs's Step-Cast-Multiply on cpu (NaN, ±0, ±∞ included) over lengths around the vector width, its scalar
 * fallback the same as the SIMD pass, second order through it unchanged, no leaks.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { computeOn, seededValues } from './helpers/compare.js';
import { RELU_GRAD_KERNEL } from '../src/backend/fusedKernels.js';
import { reluGradScalar } from '../src/backend/wasm/reluGrad.js';

const SPECIAL = [NaN, -0, 0, Infinity, -Infinity, -1, 1e-30, -1e-30];
/** Values with the special ones sprinkled in, and whole numbers that tie at zero after rounding. */
function values(n: number, seed: number): Float32Array {
  return seededValues(n, seed).map((v, i) => (i % 3 === 0 ? SPECIAL[(i / 3 + seed) % SPECIAL.length]! : i % 5 === 0 ? Math.round(v) : v * 4));
}

for (const n of [1, 3, 4, 5, 17, 1000]) {
  test.serial(`relu gradient on wasm is one kernel with cpu's bits, and its scalar fallback the SIMD pass's: length ${n}`, async (t) => {
    const [x, dy] = [values(n, 1), values(n, 2)];
    const grad = () => tf.tidy(() => [tf.grad((v: tf.Tensor) => tf.relu(v))(tf.tensor1d(x), tf.tensor1d(dy))]);
    const [expected] = await computeOn('cpu', grad);
    await computeOn('wasm', () => []);
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => grad()[0]!);
    const result = profile.result as tf.Tensor;
    const actual = (await result.data()) as Float32Array;
    result.dispose();
    t.is(tf.memory().numTensors, before);
    t.true(profile.kernelNames.includes(RELU_GRAD_KERNEL) && !profile.kernelNames.includes('Step'), profile.kernelNames.join(', '));
    t.deepEqual(Array.from(actual), Array.from(expected!));
    const scalar = new Float32Array(n);
    reluGradScalar(dy, x, scalar);
    t.deepEqual(Array.from(scalar), Array.from(actual));
  });
}

test.serial('second order through relu takes the tensor ops on wasm and equals cpu', async (t) => {
  const n = 37;
  const [x, v] = [seededValues(n, 3).map((e) => e * 2), seededValues(n, 4)];
  // d/dx Σ v·∇ₓΣ relu(x)² = 2·step(x)·v: the inner gradient's dy (2·relu(x)) depends on x.
  const hvp = () => tf.tidy(() => [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.grad((b: tf.Tensor) => tf.sum(tf.square(tf.relu(b))))(a), tf.tensor1d(v))))(tf.tensor1d(x))]);
  const [expected] = await computeOn('cpu', hvp);
  const [actual] = await computeOn('wasm', hvp);
  t.deepEqual(Array.from(actual!), Array.from(expected!));
  // (+0 for −0: the analytic form's zeros carry no sign worth comparing.)
  t.deepEqual(Array.from(actual!, (a) => a + 0), Array.from(x, (e, i) => Math.fround(2 * (e > 0 ? 1 : 0) * v[i]!) + 0));
});
