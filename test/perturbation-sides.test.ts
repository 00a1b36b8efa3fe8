/**
 * The local pool runs ES pairs and PES particles one side at a time (half the work of a unit, so its processes finish
 * an iteration closer together), the queue runs them whole: both unit shapes, through the same handlers, give the
 * same meta-losses and (PES) the same moved optimizee states, bit for bit.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { decodeMetaTrainConfig } from '../src/meta/config.js';
import { openEsPairHandler } from '../src/meta/es/esPairHandler.js';
import { bySide, esPairUnits, perturbationContext, type EsPairUnit } from '../src/meta/es/esUnits.js';
import type { EstimateArgs } from '../src/meta/estimator.js';
import { unrollStepwise } from '../src/meta/objective.js';
import { openPesParticleHandler } from '../src/meta/pes/pesParticleHandler.js';
import { pesParticleUnits, pesSideUnits, type PesParticleResult, type PesSideResult } from '../src/meta/pes/pesUnits.js';
import { treeTensors } from '../src/rules/index.js';
import { poolFamily, poolLstm } from './helpers/metaPool.js';

test.before(async () => {
  await setupBackend('cpu');
});

/** A truncation's start one truncation into fresh tasks (the rule's state is not zero), and everything a unit needs. */
async function truncation(method: 'es' | 'pes') {
  const optimizer = poolLstm();
  const task = poolFamily().task;
  const config = decodeMetaTrainConfig({ method, unroll: 3, tasksPerIteration: 3, pairs: 3, sigma: 0.01 }, 'metaTrain', optimizer.metaTrainDefaults);
  const seeds = [11, 12, 13];
  const problem = task.instantiate(seeds);
  const rule = optimizer.rule();
  const initial = tf.clone(problem.start);
  const initialState = rule.init([initial]);
  const moved = unrollStepwise(rule, problem, task, { theta: initial, state: initialState, step: 0 }, 2, config);
  const { theta, state } = moved;
  tf.dispose([moved.metaLoss, initial, ...treeTensors(initialState)]);
  const args: EstimateArgs = { rule, problem, task, seeds, from: { theta, state, step: 2 }, variables: [...optimizer.metaParams.values()], config, iteration: 3 };
  const context = perturbationContext(optimizer, task, config, 'test');
  const names = [...optimizer.metaParams.keys()];
  const dispose = () => {
    tf.dispose([theta, ...treeTensors(state)]);
    problem.dispose();
    optimizer.dispose();
  };
  return { args, context, names, dispose };
}

test('ES: a pair run as two side units gives the losses of the whole pair, bit for bit', async (t) => {
  const { args, context, names, dispose } = await truncation('es');
  const handler = await openEsPairHandler(context);
  const pairs = await esPairUnits(names, args);
  const sides = bySide(pairs);
  t.is(sides.length, 2 * pairs.length);
  t.deepEqual(
    sides.map((u) => u.key),
    pairs.flatMap((p: EsPairUnit) => [`${p.key} plus`, `${p.key} minus`]),
  );
  for (const pair of pairs) {
    const whole = (await handler.run(pair)) as { plus: number; minus: number };
    const [plus, minus] = await Promise.all(sides.filter((s) => s.pair === pair.pair).map(async (s) => ((await handler.run(s)) as { loss: number }).loss));
    t.true(Number.isFinite(whole.plus) && whole.plus !== whole.minus, 'the two sides differ');
    t.true(Object.is(plus, whole.plus) && Object.is(minus, whole.minus), `pair ${pair.pair}: sides ${plus}, ${minus}; whole ${whole.plus}, ${whole.minus}`);
  }
  handler.dispose?.();
  dispose();
});

test('PES: a particle advanced as two side units gives the losses and moved states of the whole particle, bit for bit', async (t) => {
  const { args, context, names, dispose } = await truncation('pes');
  const handler = await openPesParticleHandler(context);
  // Particles whose sides already differ (as after a truncation under ± noise): the plus side one step further on.
  const start = args.from;
  const shifted = tf.add(start.theta, 0.01) as tf.Tensor2D;
  const particles = [0, 1].map(() => ({ plus: { theta: shifted, state: start.state }, minus: { theta: start.theta, state: start.state } }));
  const wholes = await pesParticleUnits(names, args, particles);
  const sides = await pesSideUnits(names, args, particles);
  t.is(sides.length, 2 * wholes.length);
  for (const whole of wholes) {
    const w = (await handler.run(whole)) as PesParticleResult;
    for (const side of sides.filter((s) => s.particle === whole.particle)) {
      const r = (await handler.run(side)) as PesSideResult;
      t.true(Object.is(r.loss, w[side.side]), `particle ${whole.particle} ${side.side}: ${r.loss} against ${w[side.side]}`);
      t.deepEqual(r.moved, side.side === 'plus' ? w.plusSide : w.minusSide, `particle ${whole.particle} ${side.side}: the moved state`);
    }
    t.not(w.plus, w.minus);
  }
  handler.dispose?.();
  shifted.dispose();
  dispose();
});
