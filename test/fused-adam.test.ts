/**
 * rules.adam's fused kernel (wasm): the same numbers as the unfused tensor ops over a grid of shapes and steps,
 * bit for bit on wasm and to float32 rounding against cpu; the tensor ops wherever a tape records; no leaks.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { computeOn, relativeError, seededValues } from './helpers/compare.js';
import { adam, chain, scaleByAdam, scaleByLearningRate } from '../src/rules/index.js';
import { toTfjsOptimizer } from '../src/rules/tfjsOptimizer.js';
import type { StateTree, UpdateRule } from '../src/rules/types.js';
import { treeLeaves } from '../src/rules/tree.js';
import { FUSED_ADAM_KERNEL } from '../src/backend/fusedKernels.js';
import { adamScalarPass } from '../src/backend/wasm/fusedAdam.js';

// Sizes around the four-float vector width, an odd matrix, and the 784×128 layer of the benchmark.
const SHAPES: number[][] = [[1], [3], [4], [5], [7, 3], [2, 3, 4, 5], [33, 17], [784, 128]];
const OPTIONS = { learningRate: 3e-3, beta1: 0.8, beta2: 0.99, epsilon: 1e-6 };
const STEPS = 4;

/** Runs `STEPS` updates of `rule` from zero state on tensors of `shape`; returns every update and the final state. */
function run(rule: () => UpdateRule, shape: number[]): () => tf.Tensor[] {
  return () => {
    const size = shape.reduce((a, b) => a * b, 1);
    const r = rule();
    const params = [tf.zeros(shape)];
    let state = r.init(params);
    const out: tf.Tensor[] = [];
    for (let step = 0; step < STEPS; step++) {
      // Gradients of mixed scale, zeros included, so bias correction, ε and the tail all matter.
      const values = seededValues(size, 40 + step).map((v, i) => (i % 11 === 0 ? 0 : v * 10 ** ((i % 7) - 3)));
      const grads = [tf.tensor(values, shape)];
      const next = r.update({ grads, params, step }, state);
      out.push(...next.updates);
      tf.dispose([...grads, ...treeLeaves(state as StateTree).map((l) => l.tensor)]);
      state = next.state;
    }
    tf.dispose(params);
    return [...out, ...treeLeaves(state as StateTree).map((l) => l.tensor)];
  };
}

const unfused = () => chain(scaleByAdam({ beta1: OPTIONS.beta1, beta2: OPTIONS.beta2, epsilon: OPTIONS.epsilon }), scaleByLearningRate(OPTIONS.learningRate));

for (const shape of SHAPES) {
  test.serial(`fused adam equals the unfused ops on wasm bit for bit, and cpu to rounding: [${shape}]`, async (t) => {
    const fused = await computeOn('wasm', run(() => adam(OPTIONS), shape));
    const reference = await computeOn('wasm', run(unfused, shape));
    const onCpu = await computeOn('cpu', run(() => adam(OPTIONS), shape));
    t.is(fused.length, STEPS + 2);
    fused.forEach((values, i) => {
      t.deepEqual(Array.from(values), Array.from(reference[i]!), `output ${i} differs from the unfused ops`);
      t.true(relativeError(values, onCpu[i]!) <= 1e-6, `output ${i}: ${relativeError(values, onCpu[i]!)} from cpu`);
    });
  });
}

test.serial('the wasm update runs one fused kernel per tensor and leaks nothing', async (t) => {
  await computeOn('wasm', () => []);
  const params = [tf.zeros([784, 128]), tf.zeros([128]), tf.zeros([5])];
  const grads = params.map((p, i) => tf.tensor(seededValues(p.size, i), p.shape));
  const rule = adam(OPTIONS);
  let state = rule.init(params);
  const before = tf.memory().numTensors;
  const profile = await tf.profile(() => {
    const next = rule.update({ grads, params, step: 0 }, state);
    tf.dispose([...next.updates, ...treeLeaves(state).map((l) => l.tensor)]);
    state = next.state;
  });
  const names = profile.kernels.map((k) => k.name);
  t.deepEqual(names, [FUSED_ADAM_KERNEL, FUSED_ADAM_KERNEL, FUSED_ADAM_KERNEL]);
  t.is(tf.memory().numTensors, before);
  tf.dispose([...params, ...grads, ...treeLeaves(state).map((l) => l.tensor)]);
});

test.serial('under a gradient tape adam uses the tensor ops, so gradients flow through the update (wasm equals cpu)', async (t) => {
  const compute = () =>
    tf.tidy(() => {
      const rule = adam(OPTIONS);
      const p = tf.tensor1d(seededValues(10, 50));
      const state = rule.init([p]);
      // d/dg of the first update's sum: zero with the fused kernel, which has no gradient.
      const grad = tf.grad((g: tf.Tensor) => tf.sum(rule.update({ grads: [g], params: [p], step: 2 }, state).updates[0]!))(tf.tensor1d(seededValues(10, 51)));
      return [grad];
    });
  const [onWasm] = await computeOn('wasm', compute);
  const [onCpu] = await computeOn('cpu', compute);
  t.true(Array.from(onWasm!).some((v) => v !== 0));
  t.true(relativeError(onWasm!, onCpu!) <= 1e-5, `${relativeError(onWasm!, onCpu!)}`);
});

test.serial('the scalar pass (no wasm SIMD) gives the SIMD kernel\'s bits', async (t) => {
  await computeOn('wasm', () => []);
  const n = 1001;
  const [g, m, v] = [60, 61, 62].map((s, k) => seededValues(n, s).map((x) => (k === 2 ? Math.abs(x) * 1e-3 : x * 1e-2)));
  const attrs = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, c1: 1 - 0.9 ** 3, c2: 1 - 0.999 ** 3, scale: -1e-3 };
  const outs = tf.engine().runKernel(FUSED_ADAM_KERNEL, { grad: tf.tensor1d(g!), mu: tf.tensor1d(m!), nu: tf.tensor1d(v!) }, attrs) as tf.Tensor[];
  const simd = await Promise.all(outs.map((o) => o.data()));
  tf.dispose(outs);
  const scalar = [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const;
  const f = Math.fround;
  adamScalarPass(g!, m!, v!, ...scalar, [0.9, 1 - 0.9, 0.999, 1 - 0.999, attrs.c1, attrs.c2, attrs.epsilon, attrs.scale].map(f));
  scalar.forEach((values, i) => t.deepEqual(Array.from(values), Array.from(simd[i]!), `output ${i}`));
});

test.serial('toTfjsOptimizer(adam) on wasm matches cpu over several steps', async (t) => {
  const compute = () => {
    const v = tf.variable(tf.tensor2d(seededValues(35, 70), [7, 5]), true, `fused-adam-${Math.random()}`);
    const target = tf.tensor2d(seededValues(35, 71), [7, 5]);
    const optimizer = toTfjsOptimizer(adam(OPTIONS));
    for (let i = 0; i < 5; i++) optimizer.minimize(() => tf.sum(tf.square(tf.sub(v, target))) as tf.Scalar, false, [v]);
    const out = tf.clone(v);
    optimizer.dispose();
    tf.dispose([v, target]);
    return [out];
  };
  const [onWasm] = await computeOn('wasm', compute);
  const [onCpu] = await computeOn('cpu', compute);
  t.true(relativeError(onWasm!, onCpu!) <= 1e-6);
});
