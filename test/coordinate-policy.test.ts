/**
 * Li & Malik's coordinate-wise RL policy: the feature window on a hand-made
 * history, the PPO pieces on tiny known cases, both action spaces, PPO actually
 * improving the policy, checkpoints, tfjs interop and leaks. Serial: the leak
 * checks read the global tensor count.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { CoordinatePolicy } from '../src/learned/index.js';
import { initHistory, observe, recordStep } from '../src/learned/policy/history.js';
import { decodePpoConfig } from '../src/meta/ppo/config.js';
import { RunningStd, generalizedAdvantages, standardize } from '../src/meta/ppo/gae.js';
import { clippedSurrogateLoss, gaussianLogProb } from '../src/meta/ppo/loss.js';
import { rolloutRewards } from '../src/meta/ppo/rewards.js';
import { rollout } from '../src/meta/ppo/rollout.js';
import { scoreRule } from '../src/loop/score.js';
import { treeTensors, type UpdateRule } from '../src/rules/index.js';
import { familyOf, logisticRegressionTask } from '../src/tasks/index.js';
import { tensorCountsAcrossSteps } from './helpers/tensorCounts.js';
import { metaTrain } from '../src/meta/metaTrain.js';
import { toTfjsOptimizer } from '../src/learned/tfjsOptimizer.js';

test.before(async () => {
  await setupBackend('cpu');
});

const close = (a: number, b: number, tol = 1e-5) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

test.serial('the feature window holds the last H gradients, steps and relative loss changes, newest first, RMS-normalised', async (t) => {
  const H = 3;
  let state = initHistory(2, H);
  const grads = [
    [1, -2],
    [3, 0],
    [-1, 4],
  ];
  const losses = [10, 5, 6];
  const steps = [
    [0.5, 0.1],
    [-0.5, 0.2],
  ];
  let features: number[][] = [];
  for (let step = 0; step < 3; step++) {
    const grad = tf.tensor1d(grads[step]!);
    const loss = tf.tensor1d([losses[step]!, losses[step]!]);
    const o = observe(state, { grad, loss, step });
    features = (await o.features.array()) as number[][];
    const update = tf.tensor1d(steps[step] ?? [0, 0]);
    const next = recordStep(state, o, update, loss);
    tf.dispose([...Object.values(state), o.features, grad, update]);
    state = next;
  }
  t.deepEqual(await state.grads.array(), [
    [-1, 3, 1],
    [4, 0, -2],
  ]);
  // Coordinate 0's gradient window [-1, 3, 1] has RMS √(11/3).
  const rms0 = Math.sqrt(11 / 3);
  [-1, 3, 1].forEach((g, k) => t.true(close(features[0]![k]!, g / rms0), `grad feature ${k}`));
  // At the third step the step window holds the first two steps: [-0.5, 0.5, 0] for coordinate 0.
  const rmsS = Math.sqrt(0.5 / 3);
  [-0.5, 0.5, 0].forEach((s, k) => t.true(close(features[0]![H + k]!, s / rmsS), `step feature ${k}`));
  // Loss changes: (6 − 5)/5 = 0.2, (5 − 10)/10 = −0.5, and 0 for the first step.
  [0.2, -0.5, 0].forEach((c, k) => t.true(close(features[1]![2 * H + k]!, c), `loss-change feature ${k}`));
  // The scale features: log10(RMS)/4.
  t.true(close(features[0]![3 * H]!, Math.log10(rms0) / 4, 1e-4));
  t.true(close(features[0]![3 * H + 1]!, Math.log10(rmsS) / 4, 1e-4));
  t.is(features[0]!.length, 3 * H + 2);
  tf.dispose(Object.values(state));
});

test.serial('the PPO pieces give the textbook numbers on tiny cases', async (t) => {
  // Clipped surrogate, ε = 0.2: ratio 1.5 with A = +1 is clipped to 1.2; ratio 0.5 with A = −1 is clipped to 0.8
  // (min(−0.5, −0.8) = −0.8); ratio 1 with A = 2 is 2. Loss = −mean(1.2, −0.8, 2).
  const oldLogProb = tf.zeros([3]);
  const newLogProb = tf.log(tf.tensor1d([1.5, 0.5, 1]));
  const loss = clippedSurrogateLoss(newLogProb, oldLogProb, tf.tensor1d([1, -1, 2]), 0.2);
  t.true(close((await loss.data())[0]!, -(1.2 - 0.8 + 2) / 3));
  // Gaussian log-density.
  const lp = await gaussianLogProb(tf.scalar(1.5), tf.scalar(0.5), tf.scalar(Math.log(2))).data();
  t.true(close(lp[0]!, -0.5 * 0.25 - Math.log(2) - 0.5 * Math.log(2 * Math.PI)));
  // GAE on one row of two steps, γ = 0.5, λ = 0.5: δ₁ = 1 + 0.5·0 − 2 = −1; δ₀ = 1 + 0.5·2 − 1 = 1;
  // A₁ = −1; A₀ = δ₀ + γλ·A₁ = 1 − 0.25 = 0.75; returns = A + V.
  const { advantages, returns } = generalizedAdvantages([[1], [1]], [[1], [2], [0]], 0.5, 0.5);
  t.deepEqual(advantages, [[0.75], [-1]]);
  t.deepEqual(returns, [[1.75], [1]]);
  const z = standardize([1, 2, 3]);
  t.true(close(z[0]!, -Math.sqrt(1.5), 1e-6) && close(z[1]!, 0) && close(z[2]!, Math.sqrt(1.5), 1e-6));
  const running = new RunningStd();
  running.push([1, 2, 3, 4]);
  t.true(close(running.std, Math.sqrt(5 / 3)));
  // Rewards: −ΔL/|L₀|, −Δlog L, −L/|L₀|; a blow-up at step 2 costs an extra −1 on the move that caused it.
  const losses = [[4], [2], [1]];
  const same = (actual: number[][], expected: number[]) => actual.flat().every((v, i) => close(v, expected[i]!, 1e-9));
  t.true(same(rolloutRewards(losses, [null], 'delta'), [0.5, 0.25]));
  t.true(same(rolloutRewards(losses, [null], 'logDelta'), [Math.log(2), Math.log(2)]));
  t.true(same(rolloutRewards(losses, [null], 'negLoss'), [-0.5, -0.25]));
  t.true(same(rolloutRewards(losses, [2], 'delta'), [0.5, -0.75]));
  tf.dispose([oldLogProb, newLogProb, loss]);
});

/** A policy whose mean action is the constant `b` (zero last-layer kernel). */
function constantPolicy(action: 'step' | 'learningRate', b: number): CoordinatePolicy {
  const policy = new CoordinatePolicy({ action, history: 4, hidden: [8], stepScale: 0.5, baseLearningRate: 0.2 });
  const last = policy.policyLayers.at(-1)!;
  last.kernel.assign(tf.zerosLike(last.kernel));
  last.bias.assign(tf.fill([1], b));
  return policy;
}

test.serial('both action spaces: a step Δθ = stepScale·a, or a learning rate Δθ = −base·eᵃ·g, per coordinate', async (t) => {
  const params = [tf.tensor2d([[1, 2]]), tf.tensor1d([3])];
  const grads = [tf.tensor2d([[0.5, -1]]), tf.tensor1d([2])];
  for (const [action, b, expected] of [
    ['step', 0.3, [0.15, 0.15, 0.15]],
    ['learningRate', Math.log(3), [-0.3, 0.6, -1.2]],
  ] as const) {
    const policy = constantPolicy(action, b);
    const rule = policy.rule();
    const state = rule.init(params);
    const out = rule.update({ grads, params, loss: tf.scalar(1), step: 0 }, state);
    const flat = [...(await out.updates[0]!.data()), ...(await out.updates[1]!.data())];
    t.deepEqual(out.updates.map((u) => u.shape), [[1, 2], [1]]);
    expected.forEach((e, i) => t.true(close(flat[i]!, e), `${action} coordinate ${i}: ${flat[i]} vs ${e}`));
    tf.dispose([...out.updates, ...treeTensors(out.state), ...treeTensors(state)]);
    policy.dispose();
  }
  tf.dispose([...params, ...grads]);
});

test.serial('the fast frozen rule (column windows, block products) computes what the explicit features give', async (t) => {
  const task = logisticRegressionTask();
  for (const options of [
    { action: 'step', history: 5, hidden: [8, 8], includeParams: true },
    { action: 'learningRate', history: 4, hidden: [6], includeParams: false },
    { action: 'step', history: 3, hidden: [], includeParams: false },
    // Li & Malik's raw features and ReLU (the labelled paper variant; test/coordinate-policy-paper.test.ts).
    { action: 'step', history: 4, hidden: [6], includeParams: true, features: 'paper', activation: 'relu' },
  ] as const) {
    const policy = new CoordinatePolicy({ ...options, hidden: [...options.hidden], seed: 2 });
    // A last layer of ordinary size, so that the actions are far from zero.
    const last = policy.policyLayers.at(-1)!;
    last.kernel.assign(tf.randomNormal(last.kernel.shape, 0, 0.5, 'float32', 9));
    last.bias.assign(tf.fill([1], options.action === 'learningRate' ? 0.5 : 0.1));
    // Batched rows (one loss per run) through the suite's problem layout.
    const problem = task.instantiate([4, 5, 6]);
    const fast = policy.rule();
    const reference = policy.featureRule();
    let theta = tf.clone(problem.start);
    let [sf, sr] = [fast.init([theta]), reference.init([theta])];
    let worst = 0;
    for (let step = 0; step < 13; step++) {
      const next = tf.tidy(() => {
        const loss = problem.loss(theta, step);
        const grad = tf.grad((x: tf.Tensor) => tf.sum(problem.loss(x as tf.Tensor2D, step)))(theta);
        const a = fast.update({ grads: [grad], params: [theta], loss, step }, sf);
        const b = reference.update({ grads: [grad], params: [theta], loss, step }, sr);
        const gap = tf.max(tf.div(tf.abs(tf.sub(a.updates[0]!, b.updates[0]!)), tf.add(tf.abs(b.updates[0]!), 1e-3)));
        return { theta: tf.add(theta, b.updates[0]!) as tf.Tensor2D, sf: a.state, sr: b.state, gap };
      });
      worst = Math.max(worst, (await next.gap.data())[0]!);
      tf.dispose([theta, next.gap, ...treeTensors(sf), ...treeTensors(sr)]);
      theta = next.theta;
      sf = next.sf;
      sr = next.sr;
    }
    // float32 sums in another order: agreement to ~1e-4 relative; a window in the wrong order is off by O(1).
    t.true(worst < 1e-3, `${JSON.stringify(options)}: relative gap ${worst}`);
    tf.dispose([theta, ...treeTensors(sf), ...treeTensors(sr)]);
    problem.dispose();
    // Several tensors and one scalar loss (a tfjs model).
    const params = [tf.tensor2d([[0.3, -0.2], [0.1, 0.4]]), tf.tensor1d([0.5, -0.5])];
    const grads = [tf.tensor2d([[0.1, 0.2], [-0.3, 0.05]]), tf.tensor1d([1, -2])];
    let [f2, r2] = [fast.init(params), reference.init(params)];
    for (let step = 0; step < 6; step++) {
      const loss = tf.scalar(2 - 0.1 * step);
      const a = fast.update({ grads, params, loss, step }, f2);
      const b = reference.update({ grads, params, loss, step }, r2);
      for (let i = 0; i < 2; i++) {
        const [x, y] = [await a.updates[i]!.data(), await b.updates[i]!.data()];
        x.forEach((v, j) => t.true(Math.abs(v - y[j]!) <= 1e-4 * Math.max(1e-3, Math.abs(y[j]!)) + 1e-7, `tensor ${i}[${j}] step ${step}: ${v} vs ${y[j]}`));
      }
      tf.dispose([loss, ...a.updates, ...b.updates, ...treeTensors(f2), ...treeTensors(r2)]);
      [f2, r2] = [a.state, b.state];
    }
    tf.dispose([...params, ...grads, ...treeTensors(f2), ...treeTensors(r2)]);
    policy.dispose();
  }
});

test.serial('option and config errors name the field', (t) => {
  t.throws(() => new CoordinatePolicy({ hidden: [32, 0] }), { message: /^coordinate-policy\.hidden\[1\]: expected a positive integer, got 0$/ });
  t.throws(() => decodePpoConfig({ gamma: 2 }), { message: /metaTrain\.gamma: expected a number in \[0, 1\]/ });
  t.throws(() => decodePpoConfig({ epoch: 2 }), { message: /metaTrain\.epoch: unknown option/ });
});

test.serial('PPO lowers the frozen policy’s held-out loss on logistic regression, without leaking tensors', async (t) => {
  const task = logisticRegressionTask();
  const family = familyOf(task);
  const policy = new CoordinatePolicy({ action: 'learningRate', history: 8, hidden: [16] });
  const before = tf.memory().numTensors;
  const report = await metaTrain(policy, family, { iterations: 20, tasksPerIteration: 8, horizon: 40, validateEvery: 10, validationTasks: 8 });
  t.is(tf.memory().numTensors, before, 'meta-training leaked tensors');
  const initial = report.validation[0]!.loss;
  const best = Math.min(...report.validation.map((v) => v.loss));
  t.true(best < 0.95 * initial, `validation ${report.validation.map((v) => v.loss.toFixed(4)).join(' → ')}`);
  t.is(report.curve.length, 20);
  // The kept weights are the best validated ones.
  const seeds = Array.from({ length: 8 }, (_, i) => family.metaValidationSeed(i));
  t.true(close(await scoreRule(policy.rule() as unknown as UpdateRule, task, seeds, 40), best, 1e-4));
  policy.dispose();
});

test.serial('a rollout keeps one feature row per coordinate and step; the frozen rule does not leak', async (t) => {
  const task = logisticRegressionTask();
  const policy = new CoordinatePolicy({ history: 5, hidden: [8] });
  const before = tf.memory().numTensors;
  const r = await rollout(policy, task, [1, 2, 3], 7, 0);
  t.deepEqual(r.features.shape, [7 * 3 * 4, 3 * 5 + 2]);
  t.is(r.losses.length, 8);
  t.is(r.values.length, 7);
  r.dispose();
  const counts = tensorCountsAcrossSteps(policy.rule(), task, 30);
  t.is(counts[29], counts[5], 'tensor count grew across steps');
  t.is(tf.memory().numTensors, before);
  policy.dispose();
});

// Checkpoint round trips, refusal of another kind, online refusal: test/contracts/learned-kinds.test.ts.
test.serial('an untrained learning-rate policy is SGD at its base rate: through model.fit it fits a small regression', async (t) => {
  const loaded = new CoordinatePolicy({ history: 6, hidden: [8], seed: 3 });

  // An untrained learning-rate policy is SGD at its base rate: it must fit a small regression.
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1, kernelInitializer: 'zeros' })] });
  model.compile({ optimizer: toTfjsOptimizer(loaded, 'frozen'), loss: 'meanSquaredError' });
  const x = tf.randomNormal([64, 3], 0, 1, 'float32', 5);
  const y = tf.sum(tf.mul(x, tf.tensor1d([1, -2, 0.5])), 1, true);
  const history = await model.fit(x, y, { epochs: 30, batchSize: 64, verbose: 0 });
  const losses = history.history['loss'] as number[];
  t.true(losses.at(-1)! < 0.2 * losses[0]!, `loss ${losses[0]} → ${losses.at(-1)}`);
  model.optimizer.dispose();
  model.dispose();
  tf.dispose([x, y]);
  loaded.dispose();
});
