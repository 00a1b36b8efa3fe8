/**
 * Per-coordinate learned rules in bounded memory (src/learned/coordinateSlices.ts): the coordinate policy run
 * in slices computes what one pass computes; slices are sized from the wasm heap; and a synthetic
 * 5·10⁶-parameter model steps on wasm, where one pass over all coordinates would overflow the 4 GiB heap.
 * Serial: the leak checks read the global tensor count, and the heap guard is global.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { guardWasmHeap, wasmHeapBytes } from '../src/backend/wasm/heap.js';
import { coordinateSlice, mapCoordinateSlices, MIN_SLICE } from '../src/learned/coordinateSlices.js';
import { CoordinatePolicy } from '../src/learned/index.js';
import type { ColumnState } from '../src/learned/policy/frozenRule.js';
import { treeTensors, type UpdateOutput } from '../src/rules/index.js';

test.before(async () => {
  await setupBackend('wasm');
});

/** Three steps of the policy's frozen rule; the updates and the final state, as arrays. */
async function policyRun(policy: CoordinatePolicy, params: tf.Tensor[], loss: (k: number) => tf.Tensor, chunk?: number): Promise<number[][]> {
  const outs = tf.tidy(() => {
    const rule = policy.rule(chunk === undefined ? {} : { chunk });
    let state = rule.init(params);
    const kept: tf.Tensor[] = [];
    for (let k = 0; k < 3; k++) {
      const grads = params.map((p, j) => tf.mul(tf.cos(tf.add(p, k + j)), 0.1 * (k + 1)));
      const next = rule.update({ grads, params, loss: loss(k), step: k }, state);
      kept.push(...next.updates);
      state = next.state;
    }
    return [...kept, ...treeTensors(state)];
  });
  const values = await Promise.all(outs.map(async (x) => Array.from(await x.data())));
  tf.dispose(outs);
  return values;
}

const sameValues = (t: import('ava').ExecutionContext, a: number[][], b: number[][]) => {
  t.is(a.length, b.length);
  a.forEach((values, i) => t.true(values.every((v, j) => Math.abs(v - b[i]![j]!) <= 1e-5 * Math.max(1, Math.abs(v))), `output ${i} differs`));
};

test.serial('the coordinate policy in slices of 7 gives the updates and states of one pass, nothing leaked', async (t) => {
  const policy = new CoordinatePolicy({ seed: 4, history: 4, hidden: [8, 8] });
  const params = [tf.tensor2d(Array.from({ length: 40 }, (_, i) => Math.sin(i)), [5, 8]), tf.tensor1d([0.5, -2, 3])];
  const loss = (k: number) => tf.scalar(2 - 0.3 * k);
  const whole = await policyRun(policy, params, loss);
  const before = tf.memory().numTensors;
  const sliced = await policyRun(policy, params, loss, 7);
  t.is(tf.memory().numTensors, before, 'no tensor left behind');
  sameValues(t, sliced, whole);
  tf.dispose(params);
  policy.dispose();
});

test.serial('runs batched as rows (a loss per row) and the parameters as an input: slices agree with one pass too', async (t) => {
  const policy = new CoordinatePolicy({ seed: 5, history: 3, hidden: [6], includeParams: true, action: 'step' });
  const params = [tf.tensor2d(Array.from({ length: 2 * 13 }, (_, i) => Math.cos(i)), [2, 13]), tf.tensor2d([[1, 2], [3, 4]])];
  const loss = (k: number) => tf.tensor1d([1 + k, 2 - 0.5 * k]);
  sameValues(t, await policyRun(policy, params, loss, 5), await policyRun(policy, params, loss));
  tf.dispose(params);
  policy.dispose();
});

test.serial('mapCoordinateSlices cuts every input on its first axis and puts the outputs back in order; bad slice sizes are refused', async (t) => {
  const x = tf.tensor2d(Array.from({ length: 22 }, (_, i) => i), [11, 2]);
  const y = tf.tensor1d(Array.from({ length: 11 }, (_, i) => 100 * i));
  const [sum, first] = mapCoordinateSlices(11, 4, [x, y], ([a, b]) => [tf.add(tf.sum(a!, 1), b!), tf.slice(a!, [0, 0], [-1, 1])]);
  t.deepEqual(Array.from(await sum!.data()), Array.from({ length: 11 }, (_, i) => 4 * i + 1 + 100 * i));
  t.deepEqual(Array.from(await first!.data()), Array.from({ length: 11 }, (_, i) => 2 * i));
  t.throws(() => mapCoordinateSlices(11, 0, [x], (a) => a), { message: /positive integer/ });
  tf.dispose([x, y, sum!, first!]);
});

test.serial('slices are sized from the heap: a lower heap limit gives smaller slices, never below the minimum', (t) => {
  const cost = { bytesPerCoordinate: 4096, widestRowBytes: 128 };
  try {
    const full = coordinateSlice(1e8, cost);
    guardWasmHeap(512 * 2 ** 20);
    const small = coordinateSlice(1e8, cost);
    t.true(small < full, `${small} vs ${full}`);
    t.true(small * cost.bytesPerCoordinate <= 512 * 2 ** 20, 'a slice fits in the limit');
    guardWasmHeap(tf.memory().numBytes + 1024);
    t.is(coordinateSlice(1e8, cost), MIN_SLICE);
    t.is(coordinateSlice(100, cost), MIN_SLICE, 'a small model is one pass');
  } finally {
    guardWasmHeap();
  }
});

test.serial('a synthetic 5·10⁶-parameter model steps under the coordinate policy on wasm without overflowing the heap', async (t) => {
  // A small policy keeps the test to seconds of CPU: still, one pass over 5·10⁶ coordinates would hold ~20 [n, 16]
  // temporaries (~6 GiB), past the 4 GiB heap. (The LSTM at this size takes minutes per step: see bench/README.md.)
  const policy = new CoordinatePolicy({ seed: 6, history: 4, hidden: [16] });
  const params = [tf.randomNormal([2500, 1000], 0, 1, 'float32', 1), tf.randomNormal([2500, 1000], 0, 1, 'float32', 2)];
  const rule = policy.rule();
  let state = rule.init(params);
  const before = tf.memory().numTensors;
  for (let k = 0; k < 2; k++) {
    const next = tf.tidy(() => {
      const grads = params.map((p) => tf.mul(p, 0.01));
      return rule.update({ grads, params, loss: tf.scalar(1 - 0.1 * k), step: k }, state) as unknown as tf.TensorContainer;
    }) as unknown as UpdateOutput<ColumnState>;
    const normTensor = tf.tidy(() => tf.add(tf.sum(tf.abs(next.updates[0]!)), tf.sum(tf.abs(next.updates[1]!))));
    const norm = await normTensor.data();
    normTensor.dispose();
    t.true(Number.isFinite(norm[0]) && norm[0]! > 0, `step ${k}: update norm ${norm[0]}`);
    tf.dispose([...next.updates, ...treeTensors(state)]);
    state = next.state;
  }
  t.is(tf.memory().numTensors, before, 'the state is replaced, nothing else kept');
  t.log(`wasm heap after two steps: ${((wasmHeapBytes() ?? 0) / 2 ** 30).toFixed(2)} GiB`);
  tf.dispose([...params, ...treeTensors(state)]);
  policy.dispose();
});
