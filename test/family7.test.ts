/**
 * The 7-parameter family reproduces SGD, momentum, RMSProp and Adam (without
 * bias correction) exactly with the settings documented in src/rules/family7.ts,
 * and takes per-step hyper-parameters from a controller.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { rules, setupBackend } from '../src/index.js';
import { ruleTrajectory } from './helpers/quadratic.js';
import { trajectoryError } from './helpers/reference.js';

const STEPS = 50;
const EXACT = 1e-6;

test.before(async () => {
  await setupBackend('cpu');
});

const cases: Array<[string, rules.UpdateRule, rules.UpdateRule]> = [
  ['SGD', rules.family7({ learningRate: 0.03, a1: 0, a2: 0, a3: 1, b1: 0, b2: 1, b3: 0, p0: 1 }), rules.sgd({ learningRate: 0.03 })],
  [
    'momentum',
    rules.family7({ learningRate: 0.01, a1: 0, a2: 0, a3: 1, b1: 0.9, b2: 1, b3: 0, p0: 1 }),
    rules.momentum({ learningRate: 0.01, momentum: 0.9 }),
  ],
  [
    'RMSProp',
    rules.family7({ learningRate: 0.01, a1: 0.9, a2: 0.1, a3: 0.1 * 1e-4, b1: 0, b2: 1, b3: 0, p0: 1e-4 }),
    rules.rmsprop({ learningRate: 0.01, decay: 0.9, epsilon: 1e-4 }),
  ],
  [
    'Adam without bias correction (ε = 0)',
    rules.family7({ learningRate: 0.05, a1: 0.999, a2: 0.001, a3: 0, b1: 0.9, b2: 0.1, b3: 0, p0: 0 }),
    rules.chain(rules.scaleByAdam({ beta1: 0.9, beta2: 0.999, epsilon: 0, biasCorrection: false }), rules.scaleByLearningRate(0.05)),
  ],
];

for (const [name, family, baseline] of cases) {
  test(`family7 reproduces ${name}`, async (t) => {
    const error = trajectoryError(await ruleTrajectory(family, STEPS), await ruleTrajectory(baseline, STEPS));
    t.true(error <= EXACT, `relative error ${error.toExponential(2)}`);
  });
}

test('a controller can set any of the seven hyper-parameters per step', async (t) => {
  const rule = rules.family7({ learningRate: 0.5, a1: 0, a2: 0, a3: 1, b1: 0, b2: 1, b3: 0, p0: 1 });
  const theta = tf.tensor1d([1, -2]);
  const grad = tf.tensor1d([0.5, 0.25]);
  const state = rule.init([theta]);
  const lr = tf.scalar(0.1);
  const out = rule.update({ grads: [grad], params: [theta], step: 0, overrides: { learningRate: lr, b3: 1 } }, state);
  // g' = η·(g + b3)/√1 with the controller's η = 0.1 and b3 = 1.
  t.deepEqual(Array.from(await out.updates[0]!.data()).map((x) => Number(x.toFixed(6))), [-0.15, -0.125]);
  tf.dispose([theta, grad, lr, ...rules.treeTensors(state), ...rules.treeTensors(out.state), ...out.updates]);
});
