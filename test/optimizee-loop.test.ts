/**
 * The one optimizee loop (src/loop/): suite runs, meta-gradient unrolls and held-out
 * scoring step a task alike — its gradient noise included — and leak no tensors.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { createLearnedOptimizer } from '../src/learned/index.js';
import { scoreRule, finalLossScore } from '../src/loop/score.js';
import { objectiveScore, unroll } from '../src/meta/objective.js';
import { ruleFromSpec, treeTensors } from '../src/rules/index.js';
import { runGroup } from '../src/suite/execute.js';
import { familyOf, taskFromSpec } from '../src/tasks/index.js';
import { metaTrain } from '../src/meta/metaTrain.js';

test.before(async () => {
  await setupBackend('cpu');
});

const noisy = () => taskFromSpec({ task: 'randomQuadratic', options: { dimension: 3 }, gradientNoise: 0.5 }, '$');
const clean = () => taskFromSpec({ task: 'randomQuadratic', options: { dimension: 3 } }, '$');
const sgd = () => ruleFromSpec({ rule: 'sgd', options: { learningRate: 0.05 } });
const seeds = [0, 1, 2];
const steps = 6;

async function suiteLosses(task: ReturnType<typeof noisy>): Promise<number[]> {
  const records = await runGroup({ task, optimizer: 'sgd', rows: seeds.map((seed) => ({ seed, hparams: {} })), steps, backend: 'cpu', buildRule: () => ({ rule: sgd(), dispose: () => undefined }) });
  return records.map((r) => r.finalLoss!);
}

async function unrolledLosses(task: ReturnType<typeof noisy>): Promise<number[]> {
  const problem = task.instantiate(seeds);
  const rule = sgd();
  const theta = tf.clone(problem.start);
  const state = rule.init([theta]);
  // unroll runs under a tape or a tidy (its intermediates belong to that scope).
  const out = tf.tidy(() => {
    const r = unroll(rule, problem, task, { theta, state, step: 0 }, steps, { metaLoss: 'sum', firstOrder: true });
    return { theta: r.theta, state: r.state, metaLoss: r.metaLoss };
  });
  const final = problem.loss(out.theta, steps);
  const values = Array.from(await final.data()).map((x) => Number.parseFloat(x.toPrecision(6)));
  tf.dispose([theta, final, out.theta, out.metaLoss, ...treeTensors(state), ...treeTensors(out.state)]);
  problem.dispose();
  return values;
}

test.serial('a meta-gradient unroll sees the task\'s gradient noise, as suite runs do', async (t) => {
  const before = tf.memory().numTensors;
  const inSuite = await suiteLosses(noisy());
  t.deepEqual(await unrolledLosses(noisy()), inSuite, 'the unroll steps the noisy task exactly as the suite runner does');
  t.notDeepEqual(await suiteLosses(clean()), inSuite, 'and the noise changes the run');
  t.is(tf.memory().numTensors, before);
});

test.serial('held-out scoring sees the noise: it agrees with the suite runner\'s final losses', async (t) => {
  const inSuite = await suiteLosses(noisy());
  const mean = inSuite.reduce((a, b) => a + b, 0) / inSuite.length;
  t.is(await scoreRule(sgd(), noisy(), seeds, steps, finalLossScore), mean);
  t.not(await scoreRule(sgd(), clean(), seeds, steps, finalLossScore), mean);
});

test.serial('BPTT meta-training and its validation on a noisy task see the noise', async (t) => {
  const curve = async (task: ReturnType<typeof noisy>) => {
    const schedule = createLearnedOptimizer('lr-schedule', { horizon: 8 });
    try {
      const report = await metaTrain(schedule, familyOf(task), { iterations: 2, unroll: 4, tasksPerIteration: 2, validateEvery: 1, validationTasks: 2 });
      return { curve: report.curve.map((p) => p.metaLoss), validation: report.validation.map((v) => v.loss) };
    } finally {
      schedule.dispose();
    }
  };
  const withNoise = await curve(noisy());
  const without = await curve(clean());
  t.notDeepEqual(withNoise.curve, without.curve, 'the meta-loss of the unrolls');
  t.notDeepEqual(withNoise.validation, without.validation, 'the held-out validation');
  // Validation is the meta-objective scored on the one loop: the same numbers as scoring the initial schedule directly.
  const fresh = createLearnedOptimizer('lr-schedule', { horizon: 8 });
  const task = noisy();
  const family = familyOf(task);
  t.is(await scoreRule(fresh.rule(), task, [family.metaValidationSeed(0), family.metaValidationSeed(1)], 8, objectiveScore(task, 'log')), withNoise.validation[0]!);
  fresh.dispose();
});
