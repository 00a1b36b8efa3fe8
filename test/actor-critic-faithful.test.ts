/**
 * Issue #18, Xu et al.'s Algorithm 1 as published: the actor is updated at every
 * step (counted per run), actor and critic use Adam at TensorFlow's default 1e-3,
 * the critic's next state is measured on the same minibatch as its reward, and the
 * actor's state after the model's update. The earlier behaviours stay as labelled
 * options and are pinned too. Serial: the leak checks read the global tensor count.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { ActorCriticController } from '../src/learned/index.js';
import { ActorCriticLearner, type Transition } from '../src/learned/actorCritic/learner.js';
import { decodeActorCriticOptions } from '../src/learned/actorCritic/options.js';
import { ACTOR_BATCH_OFFSET, onlineRule } from '../src/learned/actorCritic/rules.js';
import { applyUpdates, treeTensors, type StateTree, type UpdateRule } from '../src/rules/index.js';
import { lossAndGrad } from '../src/loop/lossAndGrad.js';
import { logisticRegressionTask } from '../src/tasks/index.js';

test.before(async () => {
  await setupBackend('cpu');
});

const logistic = logisticRegressionTask();

interface Probe {
  batch: number;
  params: number[];
  loss: number;
}

/** Runs `rule` on one row for `steps` steps with the runner's probe; records the parameters at each step and every probe call. */
async function run(rule: UpdateRule, steps: number, seed = 5): Promise<{ params: number[][]; modelLosses: number[]; probes: Probe[][] }> {
  const problem = logistic.instantiate([seed]);
  let theta = tf.clone(problem.start);
  let state: StateTree = rule.init([theta]);
  const out = { params: [] as number[][], modelLosses: [] as number[], probes: [] as Probe[][] };
  for (let step = 0; step < steps; step++) {
    const calls: Array<{ batch: number; params: tf.Tensor; loss: tf.Tensor }> = [];
    const probeLoss = (params: readonly tf.Tensor[], batch: number) => {
      const loss = problem.loss(params[0] as tf.Tensor2D, batch);
      calls.push({ batch, params: tf.keep(tf.clone(params[0]!)), loss: tf.keep(tf.clone(loss)) });
      return loss;
    };
    const { rows, grad } = lossAndGrad(logistic, problem, theta, step);
    out.params.push(Array.from(await theta.data()));
    out.modelLosses.push((await rows.data())[0]!);
    const [next, nextState] = tf.tidy(() => {
      const o = rule.update({ grads: [grad], params: [theta], loss: rows, step, probeLoss }, state);
      tf.dispose(Object.values(o.trace ?? {}));
      return [applyUpdates([theta], o.updates)[0] as tf.Tensor2D, o.state] as const;
    });
    out.probes.push(await Promise.all(calls.map(async (c) => ({ batch: c.batch, params: Array.from(await c.params.data()), loss: (await c.loss.data())[0]! }))));
    tf.dispose([rows, grad, theta, ...treeTensors(state), ...calls.flatMap((c) => [c.params, c.loss])]);
    theta = next;
    state = nextState;
  }
  tf.dispose([theta, ...treeTensors(state)]);
  problem.dispose();
  return out;
}

const near = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) <= 1e-6 * Math.max(1, Math.abs(b[i]!)));

test('the defaults follow the paper: Adam 1e-3 for actor and critic, actor every step, critic and actor states as in Algorithm 1', (t) => {
  const o = decodeActorCriticOptions({});
  t.like(o, { actorLearningRate: 0.001, criticLearningRate: 0.001, actorUpdate: 'everyStep', actorState: 'afterUpdate', criticNext: 'sameBatch' });
  t.throws(() => decodeActorCriticOptions({ actorUpdate: 'sometimes' }), { message: /actor-critic.*actorUpdate/ });
});

test.serial('cadence: the actor is updated at every step (Algorithm 1), or once per window with the labelled variant; the critic every step', async (t) => {
  const steps = 23;
  for (const [actorUpdate, expected] of [['everyStep', 23], ['window', 4]] as const) {
    const c = new ActorCriticController({ unroll: 5, actorUpdate });
    let actorUpdates = 0;
    let criticUpdates = 0;
    const learning = c.learningRule((e) => {
      if (e.actorLoss !== undefined) actorUpdates++;
      if (e.criticLoss !== undefined) criticUpdates++;
    });
    await run(learning.rule, 6); // Adam's slot variables are created on the first updates and live with the learner.
    actorUpdates = 0;
    criticUpdates = 0;
    const before = tf.memory().numTensors;
    await run(learning.rule, steps);
    t.is(tf.memory().numTensors, before, `${actorUpdate}: no leaks`);
    t.is(actorUpdates, expected, `${actorUpdate}: actor updates in a ${steps}-step run`);
    t.is(criticUpdates, steps, 'the critic learns at every step (same-batch next state: no step waits)');
    learning.dispose();
    c.dispose();
  }
});

test.serial("timing: the actor's state is measured after the model's update on another minibatch; the critic's next state on the reward's own minibatch", async (t) => {
  const variants: Array<Record<string, string>> = [{}, { actorState: 'beforeUpdate', criticNext: 'nextBatch' }];
  for (const variant of variants) {
    const c = new ActorCriticController({ unroll: 4, ...variant });
    const learner = new ActorCriticLearner(c.actor, c.critic, c.options);
    const transitions: Array<{ state: number; next: number }> = [];
    const criticStep = learner.criticStep.bind(learner);
    learner.criticStep = (tr: Transition, weight: number) => {
      transitions.push({ state: tr.state.dataSync()[0]!, next: tr.nextState.dataSync()[0]! });
      return criticStep(tr, weight);
    };
    const { params, modelLosses, probes } = await run(onlineRule(c.options, c.actor, learner) as unknown as UpdateRule, 6);
    const after = !('actorState' in variant);
    for (let step = 0; step < 5; step++) {
      const own = probes[step]!.find((p) => p.batch === step)!;
      const actor = probes[step]!.find((p) => p.batch === ACTOR_BATCH_OFFSET + step)!;
      t.true(near(own.params, params[step + 1]!), `step ${step}: the reward's probe reads ωₜ₊₁`);
      t.true(near(actor.params, params[after ? step + 1 : step]!), `step ${step}: the actor's state is read on ${after ? 'ωₜ₊₁ (after the update)' : 'ωₜ (before)'}`);
    }
    if (after) {
      // Algorithm 1: the transition of step t is (χ(ωₜ, xₜ), …, χ(ωₜ₊₁, xₜ)).
      t.is(transitions.length, 6);
      transitions.forEach((tr, step) => {
        t.true(Math.abs(tr.state - modelLosses[step]!) < 1e-6, `step ${step}: sₜ is the model's minibatch loss`);
        t.true(Math.abs(tr.next - probes[step]!.find((p) => p.batch === step)!.loss) < 1e-6, `step ${step}: sₜ₊₁ = f(ωₜ₊₁; xₜ), the same minibatch`);
      });
    } else {
      // The earlier variant: the transition of step t − 1 completes at step t with the next minibatch's state.
      t.is(transitions.length, 5);
      transitions.forEach((tr, k) => t.true(Math.abs(tr.next - modelLosses[k + 1]!) < 1e-6, `transition ${k}: next state f(ωₜ₊₁; xₜ₊₁)`));
    }
    learner.dispose();
    c.dispose();
  }
});
