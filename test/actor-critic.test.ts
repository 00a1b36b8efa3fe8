/**
 * Xu et al.'s actor-critic learning-rate controller: the different-minibatch rule,
 * the TD(0) and DPG steps on small known cases, positivity of the rate, row
 * independence, h(t), checkpoints, online vs frozen, tfjs interop and leaks.
 * Serial: the leak checks read the global tensor count.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { ActorCriticController } from '../src/learned/index.js';
import { ACTOR_BATCH_OFFSET, feedbackWeight } from '../src/learned/actorCritic/rules.js';
import { ActorCriticLearner } from '../src/learned/actorCritic/learner.js';
import { actorStep, criticValue, zeroMemory } from '../src/learned/actorCritic/networks.js';
import { applyUpdates, treeTensors, type StateTree, type UpdateRule } from '../src/rules/index.js';
import { lossAndGrad } from '../src/loop/lossAndGrad.js';
import { familyOf, logisticRegressionTask, type Task } from '../src/tasks/index.js';
import { metaTrain, decodeMetaTraining } from '../src/meta/metaTrain.js';
import { toTfjsOptimizer } from '../src/learned/tfjsOptimizer.js';

test.before(async () => {
  await setupBackend('cpu');
});

const logistic = logisticRegressionTask();

interface Trace {
  losses: number[][];
  lr: number[][];
  beta1: number[][];
  batches: number[];
}

/** Runs `rule` on `seeds` as rows for `steps` steps with the runner's probe; records losses, chosen rates and probed minibatches. */
async function run(rule: UpdateRule, task: Task, seeds: number[], steps: number): Promise<Trace> {
  const problem = task.instantiate(seeds);
  let theta = tf.clone(problem.start);
  let state: StateTree = rule.init([theta]);
  const trace: Trace = { losses: [], lr: [], beta1: [], batches: [] };
  const probeLoss = (params: readonly tf.Tensor[], batch: number) => {
    trace.batches.push(batch);
    return problem.loss(params[0] as tf.Tensor2D, batch);
  };
  for (let step = 0; step < steps; step++) {
    const { rows, grad } = lossAndGrad(task, problem, theta, step);
    trace.losses.push(Array.from(await rows.data()));
    const [next, nextState, chosen] = tf.tidy(() => {
      const out = rule.update({ grads: [grad], params: [theta], loss: rows, step, probeLoss }, state);
      return [applyUpdates([theta], out.updates)[0] as tf.Tensor2D, out.state, out.trace!] as const;
    });
    trace.lr.push(Array.from(await chosen['learningRate']!.data()));
    if (chosen['beta1'] !== undefined) trace.beta1.push(Array.from(await chosen['beta1'].data()));
    tf.dispose([rows, grad, theta, ...Object.values(chosen), ...treeTensors(state)]);
    theta = next;
    state = nextState;
  }
  tf.dispose([theta, ...treeTensors(state)]);
  problem.dispose();
  return trace;
}

async function weights(c: ActorCriticController): Promise<Float32Array[]> {
  return Promise.all([...c.metaParams.values()].map((v) => v.data() as Promise<Float32Array>));
}

test.serial('the actor reads its state on a different minibatch than the model and critic; sameBatch uses the same one', async (t) => {
  for (const sameBatch of [false, true]) {
    const c = new ActorCriticController({ sameBatch, unroll: 3 });
    const learning = c.learningRule();
    const { batches } = await run(learning.rule, logistic, [5], 4);
    // Every step probes f(ωₜ₊₁; xₜ) for the reward on its own minibatch t …
    t.deepEqual(batches.filter((b) => b < ACTOR_BATCH_OFFSET), [0, 1, 2, 3]);
    // … and, unless sameBatch, the actor's state on minibatch ACTOR_BATCH_OFFSET + t ≠ t.
    t.deepEqual(batches.filter((b) => b >= ACTOR_BATCH_OFFSET), sameBatch ? [] : [0, 1, 2, 3].map((s) => ACTOR_BATCH_OFFSET + s));
    learning.dispose();
    c.dispose();
  }
});

test.serial('a TD(0) step moves Q(s, a) toward r + γ·Q(s′, a′), and a DPG step raises Q(s, μ(s))', async (t) => {
  const c = new ActorCriticController({ criticLearningRate: 0.05, actorLearningRate: 0.05, unroll: 4 });
  const learner = new ActorCriticLearner(c.actor, c.critic, { ...c.options });
  const s = tf.tensor2d([[0.7], [1.3]]);
  const a = tf.tensor2d([[0.01], [0.02]]);
  const s2 = tf.tensor2d([[0.6], [1.1]]);
  const a2 = tf.tensor2d([[0.01], [0.01]]);
  const r = tf.tensor1d([0.5, 0.2]);
  const gap = async () => {
    const g = tf.tidy(() => tf.mean(tf.abs(tf.sub(criticValue(c.critic, s, a), tf.add(r, tf.mul(0.9, criticValue(c.critic, s2, a2)))))));
    const v = (await g.data())[0]!;
    g.dispose();
    return v;
  };
  const before = await gap();
  for (let i = 0; i < 5; i++) learner.criticStep({ state: s, action: a, reward: r, nextState: s2, nextAction: a2 }, 1).dispose();
  t.true((await gap()) < before, 'the TD error shrank');

  const window = tf.tensor3d([[[0.7], [0.65], [0.6], [0.55]], [[1.3], [1.2], [1.1], [1.0]]]);
  const start = zeroMemory(2, c.options.units, c.options.layers);
  const value = async () => {
    const q = tf.tidy(() => {
      let memory = start;
      const values: tf.Tensor[] = [];
      for (let k = 0; k < 4; k++) {
        const sk = tf.squeeze(tf.slice(window, [0, k, 0], [-1, 1, -1]), [1]) as tf.Tensor2D;
        const out = actorStep(c.actor, sk, memory, c.options.initialLearningRate);
        values.push(criticValue(c.critic, sk, out.action));
        memory = out.memory;
      }
      return tf.mean(tf.stack(values));
    });
    const v = (await q.data())[0]!;
    q.dispose();
    return v;
  };
  const q0 = await value();
  for (let i = 0; i < 3; i++) learner.actorStep(window, start, 1).dispose();
  t.true((await value()) > q0, 'the actor moved toward actions the critic values more');
  tf.dispose([s, a, s2, a2, r, window, ...start.h, ...start.c]);
  learner.dispose();
  c.dispose();
});

test.serial('the frozen controller: positive rates, rows independent of what they are batched with, φ untouched, no leaks', async (t) => {
  const c = new ActorCriticController({ state: 'rich' });
  const before = await weights(c);
  const rule = c.rule();
  const count = tf.memory().numTensors;
  const both = await run(rule, logistic, [1, 2], 50);
  t.is(tf.memory().numTensors, count, 'no tensors leaked over 50 frozen steps');
  const alone = await run(rule, logistic, [2], 50);
  t.true(both.lr.flat().every((x) => x > 0));
  both.lr.forEach((row, step) => t.true(Math.abs(row[1]! - alone.lr[step]![0]!) < 1e-6));
  both.losses.forEach((row, step) => t.true(Math.abs(row[1]! - alone.losses[step]![0]!) < 1e-5));
  t.deepEqual(await weights(c), before);
  c.dispose();
});

test.serial('online mode learns from the run it controls: φ changes, the rate moves from η₀, the loss falls; no leaks', async (t) => {
  const c = new ActorCriticController({ initialLearningRate: 0.01, actorLearningRate: 0.01, unroll: 5 });
  const before = await weights(c);
  const learning = c.learningRule();
  // A short first run creates Adam's slot variables (they live as long as the learner).
  await run(learning.rule, logistic, [8], 6);
  const count = tf.memory().numTensors;
  const trace = await run(learning.rule, logistic, [9], 50);
  t.is(tf.memory().numTensors, count, 'no tensors leaked over 50 online steps');
  const after = await weights(c);
  t.true(after.some((w, i) => w.some((x, j) => x !== before[i]![j])), 'online learning changed the weights');
  const rates = trace.lr.map((r) => r[0]!);
  t.log(`rate at steps 0/10/49: ${rates[0]!.toPrecision(3)} / ${rates[10]!.toPrecision(3)} / ${rates[49]!.toPrecision(3)}; loss ${trace.losses[0]![0]!.toPrecision(3)} → ${trace.losses[49]![0]!.toPrecision(3)}`);
  t.true(Math.abs(Math.log(rates[49]! / rates[0]!)) > 0.05, 'the controller moved the rate away from its initial value');
  t.true(trace.losses[49]![0]! < trace.losses[0]![0]!, 'the controlled run lowered the loss');
  t.true(rates.every((x) => x > 0));
  learning.dispose();
  c.dispose();
});

test('h(t) = 1/t weighting of the feedback', (t) => {
  t.is(feedbackWeight('none', 0), 1);
  t.is(feedbackWeight('none', 99), 1);
  t.is(feedbackWeight('inverse', 0), 1);
  t.is(feedbackWeight('inverse', 3), 1 / 4);
});

test.serial('meta-training over repeated runs keeps the best validated weights, and leaks nothing', async (t) => {
  const c = new ActorCriticController({ weighting: 'inverse', unroll: 4 });
  const before = tf.memory().numTensors;
  const report = await metaTrain(c, familyOf(logistic), { episodes: 3, horizon: 8, tasksPerEpisode: 2, validateEvery: 1, validationTasks: 2 });
  t.is(tf.memory().numTensors, before);
  t.is(report.method, 'actor-critic');
  t.is(report.curve.length, 3);
  t.deepEqual(report.validation.map((v) => v.iteration), [0, 1, 2, 3]);
  const bestLoss = Math.min(...report.validation.map((v) => v.loss));
  t.is(report.validation.find((v) => v.iteration === report.bestIteration)!.loss, bestLoss);
  c.dispose();
});

test.serial('as a tfjs optimizer, frozen and online, it trains a model with model.fit', async (t) => {
  for (const mode of ['frozen', 'online'] as const) {
    const c = new ActorCriticController({ initialLearningRate: 0.1 });
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    model.compile({ optimizer: toTfjsOptimizer(c, mode), loss: 'meanSquaredError' });
    const xs = tf.tensor2d([[0, 1], [1, 0], [1, 1], [2, 1]]);
    const ys = tf.tensor2d([[1], [2], [3], [5]]);
    const history = await model.fit(xs, ys, { epochs: 30, verbose: 0 });
    const losses = history.history['loss'] as number[];
    t.true(losses[29]! < losses[0]!, `${mode}: ${losses[0]} → ${losses[29]}`);
    tf.dispose([xs, ys]);
    model.dispose();
    c.dispose();
  }
});

test('bad options and configs are refused with the field named', (t) => {
  t.throws(() => new ActorCriticController({ gamma: 1 }), { message: /^actor-critic\.gamma: expected a number in \[0, 1\)/ });
  const c = new ActorCriticController();
  t.throws(() => decodeMetaTraining(c, { episodes: 0 }, 'optimizers[3].learned.metaTrain.config'), { message: /^optimizers\[3\]\.learned\.metaTrain\.config\.episodes: expected a positive integer/ });
  c.dispose();
});

test.serial('beyond the paper: an actor that sets both η and β₁ of Adam (family-7 form) learns online, with β₁ in (0, 1) and no leaks', async (t) => {
  const c = new ActorCriticController({ controls: 'adam', initialLearningRate: 0.01, unroll: 5 });
  const frozen = await run(c.rule(), logistic, [2], 5);
  t.true(frozen.beta1.every((row) => Math.abs(row[0]! - 0.9) < 0.01), 'an untrained actor starts at β₁ ≈ 0.9');
  const learning = c.learningRule();
  await run(learning.rule, logistic, [8], 6);
  const count = tf.memory().numTensors;
  const trace = await run(learning.rule, logistic, [9], 40);
  t.is(tf.memory().numTensors, count);
  t.true(trace.beta1.flat().every((b) => b > 0 && b < 1));
  t.true(trace.losses[39]![0]! < trace.losses[0]![0]!);
  learning.dispose();
  c.dispose();
});
