/**
 * Batch norm's fused wasm kernels (src/backend/wasm/batchNormKernels.ts, kernels.wat) against the tensor ops that
 * src/tasks/batchNorm.ts runs on cpu, over shapes around the four-float vector width and the passes' row chunks
 * (channel counts not divisible by 4, batch 1); their scalar fallbacks against the SIMD passes; dx summing to zero
 * per channel; Sum and Mean over leading axes through the same float64 sums; no leaks; clear errors.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { computeOn, relativeError, seededValues } from './helpers/compare.js';
import { batchNorm } from '../src/tasks/batchNorm.js';
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_KERNEL } from '../src/backend/fusedKernels.js';
import { batchNormGradPasses, batchNormPasses } from '../src/backend/wasm/batchNormKernels.js';

type Shape = [number, number, number, number];

function inputs(shape: Shape, offset = 0.5) {
  const size = shape.reduce((a, b) => a * b, 1);
  const c = shape[3];
  // An offset and a spread per channel, so the statistics are not those of the raw values.
  const x = tf.add(tf.mul(tf.tensor(seededValues(size, 90), shape), tf.tensor1d(seededValues(c, 91).map((v) => 1 + 3 * Math.abs(v)))), offset);
  const scale = tf.tensor1d(seededValues(c, 92).map((v) => 1 + v / 2));
  const shift = tf.tensor1d(seededValues(c, 93));
  const w = tf.tensor(seededValues(size, 94), shape);
  return { x, scale, shift, w };
}

/** y and the gradients of Σ y·w with respect to x, scale and shift. */
function normAndGrads(shape: Shape, offset?: number): tf.Tensor[] {
  return tf.tidy(() => {
    const { x, scale, shift, w } = inputs(shape, offset);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(batchNorm(a, b, s), w)))([x, scale, shift]);
    return [batchNorm(x, scale, shift), ...grads];
  });
}

const SHAPES: Shape[] = [
  [1, 1, 1, 1],
  [1, 3, 3, 3],
  [2, 4, 4, 5],
  [1, 8, 8, 7],
  [3, 5, 5, 16],
  [5, 7, 9, 17],
  [4, 16, 16, 3],
  [2, 4, 4, 33],
  [16, 16, 16, 16],
  [4, 8, 8, 64],
];
const NAMES = ['y', 'dx', 'dscale', 'dshift'];

for (const shape of SHAPES) {
  test.serial(`fused batch norm on wasm equals the tensor ops on cpu, and its scalar fallback the SIMD passes: x${shape.join('x')}`, async (t) => {
    const expected = await computeOn('cpu', () => normAndGrads(shape));
    await computeOn('wasm', () => []);
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => normAndGrads(shape));
    const outputs = profile.result as tf.Tensor[];
    const actual = await Promise.all(outputs.map(async (o) => (await o.data()) as Float32Array));
    tf.dispose(outputs);
    t.is(tf.memory().numTensors, before);
    const kernels = profile.kernelNames;
    t.true(kernels.includes(BATCH_NORM_KERNEL) && kernels.includes(BATCH_NORM_GRAD_KERNEL), `kernels run: ${kernels.join(', ')}`);
    actual.forEach((a, i) => t.true(relativeError(a, expected[i]!) <= 2e-6, `${NAMES[i]}: ${relativeError(a, expected[i]!)}`));

    // Scalar passes on the same inputs, against the kernels (SIMD here).
    const [simd, scalar] = await computeOn('wasm', () =>
      tf.tidy(() => {
        const backend = tf.backend() as unknown as BackendWasm;
        const { x, scale, shift, w: dy } = inputs(shape);
        const attrs = { epsilon: 1e-5 };
        const kernelOut = [
          tf.engine().runKernel(BATCH_NORM_KERNEL, { x, scale, shift }, attrs) as tf.Tensor,
          ...(tf.engine().runKernel(BATCH_NORM_GRAD_KERNEL, { x, scale, dy }, attrs) as tf.Tensor[]),
        ];
        const scalarOut = [
          batchNormPasses({ inputs: { x, scale, shift }, backend, attrs }, undefined),
          ...batchNormGradPasses({ inputs: { x, scale, dy }, backend, attrs }, undefined),
        ].map((info) => tf.engine().makeTensorFromTensorInfo(info));
        return [tf.concat(kernelOut.map((o) => o.flatten())), tf.concat(scalarOut.map((o) => o.flatten()))];
      }),
    );
    t.true(relativeError(scalar!, simd!) <= 1e-6, `scalar against SIMD: ${relativeError(scalar!, simd!)}`);
  });
}

/** y, dx, dscale, dshift of Σ y·w in float64 from the float32 inputs. */
function float64Reference(x: Float32Array, scale: Float32Array, shift: Float32Array, w: Float32Array): Float64Array[] {
  const c = scale.length;
  const rows = x.length / c;
  const [y, dx, dScale, dShift] = [new Float64Array(x.length), new Float64Array(x.length), new Float64Array(c), new Float64Array(c)];
  for (let k = 0; k < c; k++) {
    let mean = 0;
    for (let i = k; i < x.length; i += c) mean += x[i]! / rows;
    let variance = 0;
    for (let i = k; i < x.length; i += c) variance += (x[i]! - mean) ** 2 / rows;
    const s = 1 / Math.sqrt(variance + Math.fround(1e-5));
    let sumW = 0;
    let sumWD = 0;
    for (let i = k; i < x.length; i += c) [sumW, sumWD] = [sumW + w[i]!, sumWD + w[i]! * (x[i]! - mean)];
    for (let i = k; i < x.length; i += c) {
      y[i] = (x[i]! - mean) * s * scale[k]! + shift[k]!;
      dx[i] = scale[k]! * s * (w[i]! - sumW / rows - (((x[i]! - mean) * s * s * sumWD) / rows));
    }
    [dScale[k], dShift[k]] = [sumWD * s, sumW];
  }
  return [y, dx, dScale, dShift];
}

test.serial('the fused kernels stay accurate, and dx sums to zero per channel, where the mean is far from zero', async (t) => {
  const shape: Shape = [16, 8, 8, 16];
  const [y, dx, dScale, dShift, x, scale, shift, w] = await computeOn('wasm', () => [...normAndGrads(shape, 1000), ...tf.tidy(() => Object.values(inputs(shape, 1000)))]);
  // Against float64: the statistics from raw float64 sums keep their precision (the tensor ops on cpu are off by
  // 2.5e-5 in dscale here, centring x in float32).
  const reference = float64Reference(x!, scale!, shift!, w!);
  [y, dx, dScale, dShift].forEach((a, i) => t.true(relativeError(a!, reference[i]!) <= 1e-6, `${NAMES[i]}: ${relativeError(a!, reference[i]!)}`));
  const c = shape[3];
  for (let k = 0; k < c; k++) {
    let sum = 0;
    let magnitude = 0;
    for (let i = k; i < dx!.length; i += c) {
      sum += dx![i] as number;
      magnitude += Math.abs(dx![i] as number);
    }
    // The tensor ops centre dx to ~3e-8 of Σ|dx| here; the uncorrected constants left up to 1e-6.
    t.true(Math.abs(sum) <= 2e-7 * magnitude, `channel ${k}: Σdx ${sum} against Σ|dx| ${magnitude}`);
  }
});

test.serial('the fused kernels name the input that does not fit', async (t) => {
  await computeOn('wasm', () => {
    const x = tf.zeros([2, 3, 3, 4]);
    t.throws(() => tf.engine().runKernel(BATCH_NORM_KERNEL, { x, scale: tf.ones([3]), shift: tf.zeros([4]) }, { epsilon: 1e-5 }), {
      message: /batch norm: input 'scale' must have shape \[4\], got \[3\]/,
    });
    t.throws(() => tf.engine().runKernel(BATCH_NORM_GRAD_KERNEL, { x, scale: tf.ones([4]), dy: tf.zeros([2, 3, 3, 3]) }, { epsilon: 1e-5 }), {
      message: /batch norm gradient: input 'dy' must have shape \[2,3,3,4\], got \[2,3,3,3\]/,
    });
    return [];
  });
});

for (const [shape, axis] of [[[5, 7, 9, 17], [0, 1, 2]], [[128, 8, 8, 16], [0, 1, 2]], [[3, 1000], [0]], [[2, 3000], [0]], [[6, 5, 3], [0]]] as Array<[number[], number[]]>) {
  test.serial(`Sum and Mean over leading axes on wasm are float64 sums rounded once (the SIMD channel sums): [${shape}] axis [${axis}]`, async (t) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = seededValues(size, 95).map((v, i) => v * (1 + (i % 7)) + 3);
    const [sum, mean] = await computeOn('wasm', () => tf.tidy(() => [tf.sum(tf.tensor(values, shape), axis), tf.mean(tf.tensor(values, shape), axis)]));
    const inner = sum!.length;
    const rows = size / inner;
    const exact = new Float64Array(inner);
    values.forEach((v, i) => (exact[i % inner] = (exact[i % inner] as number) + v));
    t.deepEqual(Array.from(sum!), Array.from(exact, Math.fround));
    t.deepEqual(Array.from(mean!), Array.from(exact, (s) => Math.fround(s * (1 / rows))));
  });
}
