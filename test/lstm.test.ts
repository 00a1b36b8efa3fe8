/**
 * The LSTM optimizer (Andrychowicz et al. 2016) and its two meta-gradient
 * estimators: preprocessing, BPTT meta-gradients against finite differences,
 * ES against BPTT on a quadratic, checkpoints and leaks.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { LstmOptimizer, preprocessGradient } from '../src/learned/index.js';
import { decodeMetaTrainConfig } from '../src/meta/config.js';
import { esEstimator } from '../src/meta/es/es.js';
import { unroll } from '../src/meta/objective.js';
import { familyOf, randomQuadraticTask } from '../src/tasks/index.js';
import { treeTensors } from '../src/rules/index.js';
import { metaTrain } from '../src/meta/metaTrain.js';

test.before(async () => {
  await setupBackend('cpu');
});

test.serial('gradient preprocessing follows the paper (p = 10)', async (t) => {
  const g = tf.tensor1d([1, -0.5, 1e-3, -2e-5, 1e-6, 0]);
  const out = await preprocessGradient(g, 10).array();
  const expected = [
    [Math.log(1) / 10, 1],
    [Math.log(0.5) / 10, -1],
    [Math.log(1e-3) / 10, 1],
    [-1, Math.exp(10) * -2e-5], // |∇| = 2e−5 < e^−10 ≈ 4.54e−5: the small-gradient branch
    [-1, Math.exp(10) * 1e-6],
    [-1, 0],
  ];
  out.forEach((row, i) => row.forEach((v, j) => t.true(Math.abs(v - expected[i]![j]!) < 1e-4, `row ${i} col ${j}: ${v} vs ${expected[i]![j]}`)));
  g.dispose();
});

/** A tiny LSTM and a tiny quadratic, so finite differences are cheap and sharp. */
function tiny() {
  const optimizer = new LstmOptimizer({ hidden: 3, seed: 4 });
  const task = randomQuadraticTask({ dimension: 3 });
  const problem = task.instantiate([11, 12]);
  return { optimizer, task, problem };
}

function metaLossOf(optimizer: LstmOptimizer, task: ReturnType<typeof tiny>['task'], problem: ReturnType<typeof tiny>['problem'], firstOrder: boolean): tf.Scalar {
  const rule = optimizer.rule();
  const theta = problem.start;
  const state = rule.init([theta]);
  const r = unroll(rule, problem, task, { theta, state, step: 0 }, 5, { metaLoss: 'sum', firstOrder });
  return r.metaLoss;
}

test.serial('BPTT meta-gradients match central finite differences (second-order, float32 tolerances)', async (t) => {
  const { optimizer, task, problem } = tiny();
  const variables = [...optimizer.metaParams.values()];
  const { grads } = tf.variableGrads(() => metaLossOf(optimizer, task, problem, false), variables);
  const h = 1e-2;
  for (const [name, variable] of optimizer.metaParams) {
    const analytic = Array.from(await grads[variable.name]!.data());
    // Probe the largest-gradient coordinate of each weight (where the relative check is meaningful).
    const k = analytic.reduce((best: number, v: number, i: number) => (Math.abs(v) > Math.abs(analytic[best]!) ? i : best), 0);
    const base = await variable.data();
    const at = (delta: number) => {
      const moved = Float32Array.from(base);
      moved[k] = moved[k]! + delta;
      tf.tidy(() => variable.assign(tf.tensor(moved, variable.shape)));
      const value = tf.tidy(() => metaLossOf(optimizer, task, problem, false).dataSync()[0]!);
      return value;
    };
    const numeric = (at(h) - at(-h)) / (2 * h);
    tf.tidy(() => variable.assign(tf.tensor(base, variable.shape)));
    const a = analytic[k]!;
    t.true(Math.abs(a - numeric) <= 0.05 * Math.abs(numeric) + 1e-3, `${name}[${k}]: autodiff ${a} vs finite difference ${numeric}`);
  }
  tf.dispose(Object.values(grads));
  problem.dispose();
  optimizer.dispose();
});

test.serial('ES meta-gradient is unbiased: its mean over many pairs matches the second-order BPTT gradient', async (t) => {
  const { optimizer, task, problem } = tiny();
  const variables = [...optimizer.metaParams.values()];
  const rule = optimizer.rule();
  const config = decodeMetaTrainConfig({ method: 'es', unroll: 5, sigma: 0.003, pairs: 400, metaLoss: 'sum' });
  const { grads } = tf.variableGrads(() => metaLossOf(optimizer, task, problem, false), variables);
  const exact = tf.concat(variables.map((v) => tf.reshape(grads[v.name]!, [-1])));
  const theta = tf.clone(problem.start);
  const state = rule.init([theta]);
  const estimate = await esEstimator.estimate({ rule, problem, task, seeds: [11, 12], from: { theta, state, step: 0 }, variables, config, iteration: 1 });
  const es = tf.concat(estimate.grads.map((g) => tf.reshape(g, [-1])));
  const cosine = (await tf.div(tf.sum(tf.mul(es, exact)), tf.mul(tf.norm(es), tf.norm(exact))).data())[0]!;
  const ratio = (await tf.div(tf.norm(es), tf.norm(exact)).data())[0]!;
  t.true(cosine > 0.8, `cosine(ES, BPTT) = ${cosine}`);
  t.true(ratio > 0.7 && ratio < 1.5, `|ES| / |BPTT| = ${ratio}`);
  tf.dispose([exact, es, theta, ...treeTensors(state), ...estimate.grads, estimate.carried.theta, ...treeTensors(estimate.carried.state), ...Object.values(grads)]);
  problem.dispose();
  optimizer.dispose();
});

test.serial('meta-training (BPTT and ES) lowers the held-out meta-loss without leaking tensors', async (t) => {
  const task = randomQuadraticTask({ dimension: 5 });
  for (const method of ['bptt', 'es'] as const) {
    // The earlier scale and preprocessing, with clipping: this small budget is tuned for them (the defaults follow the reference code).
    const optimizer = new LstmOptimizer({ hidden: 8, outputScale: 0.1, preprocessP: 10 });
    const before = tf.memory().numTensors;
    const report = await metaTrain(optimizer, familyOf(task), {
      method,
      clipNorm: 1,
      iterations: method === 'bptt' ? 40 : 20,
      unroll: 10,
      horizon: 40,
      tasksPerIteration: 8,
      metaLearningRate: 0.01,
      validateEvery: 10,
      validationTasks: 8,
      pairs: 4,
      sigma: 0.01,
    });
    t.is(tf.memory().numTensors, before, `${method}: no tensors leaked`);
    const first = report.validation[0]!.loss;
    const best = Math.min(...report.validation.map((v) => v.loss));
    t.true(best < 0.8 * first, `${method}: held-out meta-loss ${first} → ${best}`);
    optimizer.dispose();
  }
});

test.serial('a big optimizee runs through the LSTM in slices: the same updates, states and meta-gradients as one pass, nothing leaked', async (t) => {
  const optimizer = new LstmOptimizer({ seed: 3 });
  const params = [tf.tensor2d(Array.from({ length: 40 }, (_, i) => Math.sin(i)), [5, 8]), tf.tensor1d([0.5, -2, 3])];
  const gradsAt = (k: number) => params.map((p, j) => tf.tidy(() => tf.mul(tf.cos(tf.add(p, k + j)), 0.1 * (k + 1))));
  // Two steps, so the slices also carry state from one step to the next.
  const run = (chunk?: number) =>
    tf.tidy(() => {
      const rule = optimizer.rule(chunk === undefined ? {} : { chunk });
      let state = rule.init(params);
      const outs: tf.Tensor[] = [];
      for (let k = 0; k < 2; k++) {
        const grads = gradsAt(k);
        const next = rule.update({ grads, params, loss: tf.scalar(1), step: k }, state);
        outs.push(...next.updates);
        state = next.state;
      }
      return [...outs, ...treeTensors(state)];
    });
  const whole = await Promise.all(run().map(async (x) => Array.from(await x.data())));
  const before = tf.memory().numTensors;
  const sliced = run(7);
  t.is(tf.memory().numTensors, before + sliced.length, 'only the outputs remain');
  const slicedValues = await Promise.all(sliced.map(async (x) => Array.from(await x.data())));
  tf.dispose(sliced);
  slicedValues.forEach((values, i) => t.true(values.every((v, j) => Math.abs(v - whole[i]![j]!) < 1e-6), `output ${i} differs`));
  // The meta-gradient of a loss of the updates is the same too (BPTT through slices).
  const metaGrad = (chunk?: number) =>
    tf.tidy(() => {
      const rule = optimizer.rule(chunk === undefined ? {} : { chunk });
      const { grads } = tf.variableGrads(() => {
        const { updates } = rule.update({ grads: gradsAt(0), params, loss: tf.scalar(1), step: 0 }, rule.init(params));
        return tf.sum(tf.add(tf.sum(tf.square(updates[0]!)), tf.sum(updates[1]!))) as tf.Scalar;
      }, [...optimizer.metaParams.values()]);
      return Object.keys(grads).sort().map((k) => grads[k]!);
    });
  const [a, b] = [metaGrad(), metaGrad(7)];
  const [av, bv] = [await Promise.all(a.map((x) => x.data())), await Promise.all(b.map((x) => x.data()))];
  av.forEach((values, i) => t.true(Array.from(values).every((v, j) => Math.abs(v - bv[i]![j]!) <= 1e-5 * Math.max(1, Math.abs(v))), `meta-gradient ${i} differs`));
  tf.dispose([...a, ...b, ...params]);
  optimizer.dispose();
});
