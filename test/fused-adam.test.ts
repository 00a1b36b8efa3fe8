/**
 * rules.adam's fused kernel (wasm): the same numbers as the unfused tensor ops over a grid of shapes and steps,
 * bit for bit on wasm and to float32 rounding against cpu; the tensor ops wherever a tape records; no leaks.
 * Through toTfjsOptimizer, the in-place kernel: the same bits as update-then-add, the variables' buffers kept (and
 * left alone where another tensor shares them), no tensors made.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { computeOn, relativeError, seededValues } from './helpers/compare.js';
import { adam, chain, scaleByAdam, scaleByLearningRate } from '../src/rules/index.js';
import { toTfjsOptimizer } from '../src/rules/tfjsOptimizer.js';
import type { StateTree, UpdateRule } from '../src/rules/types.js';
import { treeLeaves } from '../src/rules/tree.js';
import { FUSED_ADAM_IN_PLACE_KERNEL, FUSED_ADAM_KERNEL } from '../src/backend/fusedKernels.js';
import { adamInPlaceScalarPass, adamScalarPass } from '../src/backend/wasm/fusedAdam.js';

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

// Small β so that both bias corrections round to 1 within the run: the in-place pass then skips their divisions.
const IN_PLACE_OPTIONS = { learningRate: 3e-3, beta1: 0.5, beta2: 0.6, epsilon: 1e-6 };
const IN_PLACE_STEPS = 40;
const IN_PLACE_SHAPES: number[][] = [[], [1], [3], [5], [7, 3], [2, 3, 4, 5], [33, 17]];

/** Gradients of mixed scale and sign, zeros included, one set per step. */
const stepGradients = (shape: number[], step: number) => {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(seededValues(size, 80 + step).map((v, i) => (i % 11 === 0 ? 0 : v * 10 ** ((i % 7) - 3))), shape);
};

/** θ and the state after IN_PLACE_STEPS steps of toTfjsOptimizer(adam) on variables of `shapes`. */
function throughOptimizer(shapes: number[][]): () => tf.Tensor[] {
  return () => {
    const variables = shapes.map((s, i) => tf.variable(tf.tensor(seededValues(s.reduce((a, b) => a * b, 1), 90 + i), s), true, `in-place-${i}-${Math.random()}`));
    const optimizer = toTfjsOptimizer(adam(IN_PLACE_OPTIONS));
    for (let step = 0; step < IN_PLACE_STEPS; step++) {
      const grads = shapes.map((s) => stepGradients(s, step));
      optimizer.applyGradients(variables.map((v, i) => ({ name: v.name, tensor: grads[i]! })));
      tf.dispose(grads);
    }
    // The state variables (private to the adapter; getWeights would give them asynchronously).
    const tree = (optimizer as unknown as { bound: { tree: StateTree } }).bound.tree;
    const out = [...variables, ...treeLeaves(tree).map((l) => l.tensor)].map((x) => tf.clone(x));
    optimizer.dispose();
    tf.dispose(variables);
    return out;
  };
}

/** The same steps as rule.update followed by θ + u (no variables: the functional path). */
function throughUpdates(shapes: number[][]): () => tf.Tensor[] {
  return () => {
    const rule = adam(IN_PLACE_OPTIONS);
    let params = shapes.map((s, i) => tf.tensor(seededValues(s.reduce((a, b) => a * b, 1), 90 + i), s));
    let state = rule.init(params);
    for (let step = 0; step < IN_PLACE_STEPS; step++) {
      const grads = shapes.map((s) => stepGradients(s, step));
      const next = rule.update({ grads, params, step }, state);
      const moved = params.map((p, i) => tf.add(p, next.updates[i]!));
      tf.dispose([...grads, ...params, ...next.updates, ...treeLeaves(state).map((l) => l.tensor)]);
      params = moved;
      state = next.state;
    }
    return [...params, ...treeLeaves(state).map((l) => l.tensor)];
  };
}

test.serial('toTfjsOptimizer(adam) in place on wasm: the bits of update-then-add, and cpu to rounding, over shapes', async (t) => {
  const inPlace = await computeOn('wasm', throughOptimizer(IN_PLACE_SHAPES));
  const functional = await computeOn('wasm', throughUpdates(IN_PLACE_SHAPES));
  const onCpu = await computeOn('cpu', throughOptimizer(IN_PLACE_SHAPES));
  t.is(inPlace.length, functional.length);
  t.true(inPlace.length >= 3 * IN_PLACE_SHAPES.length);
  inPlace.forEach((values, i) => {
    t.deepEqual(Array.from(values), Array.from(functional[i]!), `output ${i} differs from update-then-add`);
    t.true(relativeError(values, onCpu[i]!) <= 1e-5, `output ${i}: ${relativeError(values, onCpu[i]!)} from cpu`);
  });
  // Both corrections rounded to 1 before the end, so the pass without their divisions was checked too.
  t.is(Math.fround(1 - IN_PLACE_OPTIONS.beta1 ** IN_PLACE_STEPS), 1);
  t.is(Math.fround(1 - IN_PLACE_OPTIONS.beta2 ** IN_PLACE_STEPS), 1);
});

test.serial('toTfjsOptimizer(adam) on wasm: one kernel per tensor, the state in place, θ in a new buffer, no tensors made', async (t) => {
  await computeOn('wasm', () => []);
  const variables = [[784, 128], [128], [], [5]].map((s, i) => tf.variable(tf.zeros(s), true, `in-place-kernels-${i}-${Math.random()}`));
  const grads = variables.map((v, i) => tf.tensor(seededValues(v.size, i), v.shape));
  const named = variables.map((v, i) => ({ name: v.name, tensor: grads[i]! }));
  const optimizer = toTfjsOptimizer(adam(OPTIONS));
  optimizer.applyGradients(named); // creates the state variables
  const ids = variables.map((v) => v.dataId);
  const stateOf = () => treeLeaves((optimizer as unknown as { bound: { tree: StateTree } }).bound.tree).map((l) => l.tensor.dataId);
  const stateIds = stateOf();
  const before = tf.memory().numTensors;
  const profile = await tf.profile(() => optimizer.applyGradients(named));
  t.deepEqual(profile.kernels.map((k) => k.name), variables.map(() => FUSED_ADAM_IN_PLACE_KERNEL));
  t.is(tf.memory().numTensors, before);
  t.deepEqual(stateOf(), stateIds);
  variables.forEach((v, i) => {
    t.not(v.dataId, ids[i]);
    t.is(tf.backend().refCount(v.dataId), 1);
  });
  t.true(Array.from(await variables[0]!.data()).some((x) => x !== 0));
  optimizer.dispose();
  tf.dispose([...variables, ...grads]);
});

test.serial('a variable whose buffer another tensor shares is assigned, not overwritten, and that tensor keeps its values; shared state is not overwritten', async (t) => {
  await computeOn('wasm', () => []);
  const v = tf.variable(tf.tensor2d(seededValues(12, 3), [3, 4]), true, `in-place-shared-${Math.random()}`);
  const grad = tf.tensor2d(seededValues(12, 4), [3, 4]);
  const optimizer = toTfjsOptimizer(adam(OPTIONS));
  optimizer.applyGradients([{ name: v.name, tensor: grad }]); // creates the state variables
  const view = v.reshape([12]); // shares v's buffer on wasm
  t.is(view.dataId, v.dataId);
  const old = Array.from(await view.data());
  const profile = await tf.profile(() => optimizer.applyGradients([{ name: v.name, tensor: grad }]));
  t.deepEqual(profile.kernels.map((k) => k.name), [FUSED_ADAM_IN_PLACE_KERNEL]);
  t.deepEqual(Array.from(await view.data()), old);
  t.notDeepEqual(Array.from(await v.data()), old);
  // A state variable that another tensor shares goes through the kernel that writes new buffers.
  const [mu] = treeLeaves((optimizer as unknown as { bound: { tree: StateTree } }).bound.tree).map((l) => l.tensor);
  const muView = mu!.reshape([12]);
  const muOld = Array.from(await muView.data());
  const shared = await tf.profile(() => optimizer.applyGradients([{ name: v.name, tensor: grad }]));
  t.deepEqual(shared.kernels.map((k) => k.name), [FUSED_ADAM_KERNEL, 'Add']);
  t.deepEqual(Array.from(await muView.data()), muOld);
  // The kernel itself refuses shared or repeated state buffers.
  const [param, grad2, m, n] = [0, 1, 2, 3].map(() => tf.zeros([12]));
  const alias = m!.reshape([12]);
  const attrs = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, c1: 0.1, c2: 0.001, scale: -1e-3 };
  t.throws(() => tf.engine().runKernel(FUSED_ADAM_IN_PLACE_KERNEL, { param: param!, grad: grad2!, mu: m!, nu: n! }, attrs), { message: /no other tensor shares/ });
  t.throws(() => tf.engine().runKernel(FUSED_ADAM_IN_PLACE_KERNEL, { param: n!, grad: grad2!, mu: alias, nu: n! }, attrs), { message: /no other tensor shares/ });
  tf.dispose([param!, grad2!, m!, n!, alias]);
  // The next step (mu now holds a buffer of its own) runs in place.
  const next = await tf.profile(() => optimizer.applyGradients([{ name: v.name, tensor: grad }]));
  t.deepEqual(next.kernels.map((k) => k.name), [FUSED_ADAM_IN_PLACE_KERNEL]);
  muView.dispose();
  optimizer.dispose();
  tf.dispose([v, view, grad]);
});

// tfjs-backend-wasm keeps XNNPACK operators with a packed copy of a product's weights, keyed by the weights'
// buffer: a weight overwritten in place would be multiplied stale (this failed when θ was written in place).
test.serial('weights trained through toTfjsOptimizer(adam) on wasm are multiplied with their new values after every step', async (t) => {
  await computeOn('wasm', () => []);
  for (const fused of [false, true]) {
    const x = tf.tensor2d(seededValues(8 * 16, 5), [8, 16]);
    const bias = tf.tensor1d(seededValues(4, 6));
    const initial = tf.tensor2d(seededValues(16 * 4, 7), [16, 4]);
    const w = tf.variable(initial, true, `in-place-weights-${fused}-${Math.random()}`);
    initial.dispose(); // w alone holds its buffer, so the state-in-place kernel runs
    const product = (weights: tf.Tensor) => (fused ? tf.fused.matMul({ a: x, b: weights as tf.Tensor2D, bias }) : tf.matMul(x, weights as tf.Tensor2D));
    const optimizer = toTfjsOptimizer(adam({ learningRate: 0.1 }));
    for (let step = 0; step < 3; step++) {
      const profile = await tf.profile(() => {
        optimizer.minimize(() => tf.tidy(() => tf.sum(tf.square(product(w)))) as tf.Scalar);
      });
      if (step > 0) t.true(profile.kernels.some((k) => k.name === FUSED_ADAM_IN_PLACE_KERNEL));
      const copy = tf.add(w, 0); // a tensor with a buffer of its own
      const [through, fresh] = await Promise.all([tf.tidy(() => product(w)).data(), tf.tidy(() => product(copy)).data()]);
      t.deepEqual(Array.from(through), Array.from(fresh), `${fused ? 'fused ' : ''}matMul after step ${step}`);
      copy.dispose();
    }
    optimizer.dispose();
    tf.dispose([x, bias, w]);
  }
});

test.serial('a rule spread from adam with its own update does not inherit the in-place step', async (t) => {
  await computeOn('wasm', () => []);
  const base = adam(OPTIONS);
  const halved: UpdateRule = {
    ...base,
    update(input, state) {
      const out = base.update(input, state);
      const updates = out.updates.map((u) => tf.mul(u, 0.5));
      tf.dispose(out.updates);
      return { ...out, updates };
    },
  };
  const run = (rule: UpdateRule) => {
    const v = tf.variable(tf.ones([6]), true, `in-place-spread-${Math.random()}`);
    const optimizer = toTfjsOptimizer(rule);
    optimizer.applyGradients([{ name: v.name, tensor: tf.fill([6], 0.5) }]);
    const out = v.dataSync()[0]!;
    optimizer.dispose();
    v.dispose();
    return 1 - out;
  };
  t.true(Math.abs(run(halved) - run(adam(OPTIONS)) / 2) < 1e-7);
});

test.serial("the in-place scalar pass (no wasm SIMD) gives the SIMD kernel's bits", async (t) => {
  await computeOn('wasm', () => []);
  const n = 1001;
  for (const [c1, c2] of [[1 - 0.9 ** 3, 1 - 0.999 ** 3], [1, 1 - 0.999 ** 3], [1, 1]] as const) {
    const [p, g, m, v] = [63, 60, 61, 62].map((s, k) => seededValues(n, s).map((x) => (k === 3 ? Math.abs(x) * 1e-3 : x * 1e-2)));
    const tensors = [p, g, m, v].map((a) => tf.tensor1d(a!));
    const attrs = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, c1, c2, scale: -1e-3 };
    const [out] = tf.engine().runKernel(FUSED_ADAM_IN_PLACE_KERNEL, { param: tensors[0]!, grad: tensors[1]!, mu: tensors[2]!, nu: tensors[3]! }, attrs) as tf.Tensor[];
    const simd = await Promise.all([...tensors, out!].map((x) => x.data()));
    tf.dispose([...tensors, out!]);
    const f = Math.fround;
    const po = new Float32Array(n);
    adamInPlaceScalarPass(p!, po, g!, m!, v!, [0.9, 1 - 0.9, 0.999, 1 - 0.999, c1, c2, attrs.epsilon, attrs.scale].map(f));
    [p, g, m, v, po].forEach((values, i) => t.deepEqual(Array.from(values!), Array.from(simd[i]!), `c1 ${c1}, c2 ${c2}: array ${i}`));
  }
});
