/**
 * The Li & Malik variant of the coordinate-wise policy (`features: 'paper'`): their raw
 * observation per coordinate on a hand-computed history, the action as the step itself
 * through a ReLU network, a fixed training set for PPO, and no tensor leaks.
 * (The fast frozen rule's agreement with these explicit features is checked with the
 * other feature set in test/coordinate-policy.test.ts.) Serial: leak checks read the global tensor count.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { CoordinatePolicy } from '../src/learned/index.js';
import { featureCount, initHistory, observe, recordStep } from '../src/learned/policy/history.js';
import { metaTrain } from '../src/meta/metaTrain.js';
import { decodePpoConfig } from '../src/meta/ppo/config.js';
import { trainingTaskIndex } from '../src/meta/ppo/trainPpo.js';
import { rollout } from '../src/meta/ppo/rollout.js';
import { treeTensors } from '../src/rules/index.js';
import { familyOf, logisticRegressionTask } from '../src/tasks/index.js';
import { tensorCountsAcrossSteps } from './helpers/tensorCounts.js';

test.before(async () => {
  await setupBackend('cpu');
});

const close = (a: number, b: number, tol = 1e-5) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

/** The paper's variant: raw features, Δx = a, one hidden ReLU layer. */
const PAPER = { features: 'paper', action: 'step', stepScale: 1, activation: 'relu' } as const;

test.serial("the paper's features: current and H past gradients, H past steps, H unclipped relative objective changes, all raw", async (t) => {
  const H = 2;
  t.is(featureCount(H, false, 'paper'), 3 * H + 1);
  let state = initHistory(2, H, 'paper');
  const grads = [
    [1, -2],
    [3, 0],
    [-1, 4],
  ];
  // 1 → 3 is a relative change of +2: the paper does not clip it (the normalised set would give 1).
  const losses = [1, 3, 1.5];
  const steps = [
    [0.5, 0.1],
    [-0.5, 0.2],
  ];
  let features: number[][] = [];
  for (let step = 0; step < 3; step++) {
    const grad = tf.tensor1d(grads[step]!);
    const loss = tf.tensor1d([losses[step]!, losses[step]!]);
    const o = observe(state, { grad, loss, step }, 'paper');
    features = (await o.features.array()) as number[][];
    const update = tf.tensor1d(steps[step] ?? [0, 0]);
    const next = recordStep(state, o, update, loss);
    tf.dispose([...Object.values(state), o.features, grad, update]);
    state = next;
  }
  // Third step, newest first: gradients g₂, g₁, g₀; steps Δ₁, Δ₀; objective changes (1.5 − 3)/3, (3 − 1)/1.
  const expected = [
    [-1, 3, 1, -0.5, 0.5, -0.5, 2],
    [4, 0, -2, 0.2, 0.1, -0.5, 2],
  ];
  t.is(features[0]!.length, 3 * H + 1);
  expected.forEach((row, i) => row.forEach((v, k) => t.true(close(features[i]![k]!, v), `coordinate ${i} feature ${k}: ${features[i]![k]} vs ${v}`)));
  tf.dispose(Object.values(state));
});

test.serial('the action is the step Δx = a itself, through a ReLU hidden layer, in the fast rule and the feature rule alike', async (t) => {
  const policy = new CoordinatePolicy({ ...PAPER, history: 3, hidden: [2] });
  const [hidden, last] = policy.policyLayers;
  // Pre-activations [1, −1] whatever the features: ReLU gives [1, 0], so a = 2·1 + 3·0 + 0.5 = 2.5 (tanh would give ≈ −0.26).
  hidden!.kernel.assign(tf.zerosLike(hidden!.kernel));
  hidden!.bias.assign(tf.tensor1d([1, -1]));
  last!.kernel.assign(tf.tensor2d([[2], [3]]));
  last!.bias.assign(tf.tensor1d([0.5]));
  const params = [tf.tensor2d([[1, 2]]), tf.tensor1d([3])];
  const grads = [tf.tensor2d([[0.5, -1]]), tf.tensor1d([2])];
  for (const rule of [policy.rule(), policy.featureRule()] as const) {
    const state = rule.init(params);
    const out = rule.update({ grads, params, loss: tf.scalar(1), step: 0 }, state as never);
    const flat = [...(await out.updates[0]!.data()), ...(await out.updates[1]!.data())];
    flat.forEach((v, i) => t.true(close(v, 2.5), `coordinate ${i}: ${v}`));
    tf.dispose([...out.updates, ...treeTensors(out.state), ...treeTensors(state)]);
  }
  tf.dispose([...params, ...grads]);
  policy.dispose();
});

test.serial('a fixed training set: the iterations cycle through its tasks; 0 draws fresh ones; a negative size is refused', (t) => {
  t.deepEqual([0, 89, 90, 91, 185].map((k) => trainingTaskIndex(k, 90)), [0, 89, 0, 1, 5]);
  t.deepEqual([0, 90, 185].map((k) => trainingTaskIndex(k, 0)), [0, 90, 185]);
  t.is(decodePpoConfig({}).trainingTasks, 0);
  t.throws(() => decodePpoConfig({ trainingTasks: -1 }), { message: /trainingTasks/ });
});

test.serial('the paper variant: rollout features of width 3H + 1, PPO on a fixed training set and the frozen rule leak no tensor', async (t) => {
  const task = logisticRegressionTask();
  const policy = new CoordinatePolicy({ ...PAPER, history: 5, hidden: [8], initialLogStd: -2.3 });
  const before = tf.memory().numTensors;
  const r = await rollout(policy, task, [1, 2, 3], 7, 0);
  t.deepEqual(r.features.shape, [7 * 3 * 4, 3 * 5 + 1]);
  r.dispose();
  const report = await metaTrain(policy, familyOf(task), { method: 'ppo', iterations: 3, tasksPerIteration: 4, horizon: 10, trainingTasks: 6, validateEvery: 3, validationTasks: 4 });
  t.is(report.curve.length, 3);
  t.is(tf.memory().numTensors, before, 'rollout or meta-training leaked tensors');
  const counts = tensorCountsAcrossSteps(policy.rule(), task, 20);
  t.is(counts[19], counts[5], 'tensor count grew across steps');
  t.is(tf.memory().numTensors, before);
  policy.dispose();
});
