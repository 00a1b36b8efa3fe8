/**
 * Where tfjs has the same optimizer, our rule (through toTfjsOptimizer and
 * minimize) follows tfjs's trajectory. Two tfjs optimizers deviate from the
 * textbook; those tests pin down the deviation instead (see README).
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { rules, setupBackend, toTfjsOptimizer } from '../src/index.js';
import { optimizerTrajectory } from './helpers/quadratic.js';
import { reference, referenceTrajectory, trajectoryError } from './helpers/reference.js';

const STEPS = 50;
const TOLERANCE = 1e-5;

test.before(async () => {
  await setupBackend('cpu');
});

const pairs: Array<[string, () => rules.UpdateRule, () => tf.Optimizer]> = [
  ['sgd', () => rules.sgd({ learningRate: 0.03 }), () => tf.train.sgd(0.03)],
  ['momentum', () => rules.momentum({ learningRate: 0.01, momentum: 0.9 }), () => tf.train.momentum(0.01, 0.9)],
  ['nesterov', () => rules.nesterov({ learningRate: 0.01, momentum: 0.9 }), () => tf.train.momentum(0.01, 0.9, true)],
  ['adagrad', () => rules.adagrad({ learningRate: 0.1 }), () => tf.train.adagrad(0.1)],
  ['rmsprop', () => rules.rmsprop({ learningRate: 0.01 }), () => tf.train.rmsprop(0.01)],
  ['rmsprop with momentum', () => rules.rmsprop({ learningRate: 0.01, momentum: 0.5 }), () => tf.train.rmsprop(0.01, 0.9, 0.5)],
  ['adam', () => rules.adam({ learningRate: 0.05 }), () => tf.train.adam(0.05)],
  ['adamax', () => rules.adamax({ learningRate: 0.05 }), () => tf.train.adamax(0.05)],
];

for (const [name, ours, theirs] of pairs) {
  test(`${name}: toTfjsOptimizer(rule) follows tf.train's trajectory`, async (t) => {
    const expected = await optimizerTrajectory(theirs(), STEPS);
    const actual = await optimizerTrajectory(toTfjsOptimizer(ours()), STEPS);
    const error = trajectoryError(actual, expected);
    t.true(error <= TOLERANCE, `relative error ${error.toExponential(2)}`);
  });
}

test('adadelta: tfjs divides by the previous E[g²]; ours follows Zeiler (both pinned to a reference)', async (t) => {
  // tfjs's first step is a full gradient step (√ε/√ε · g), which diverges at learning rate 1 here; 0.01 keeps both finite.
  const lr = 0.01;
  const oursTrajectory = await optimizerTrajectory(toTfjsOptimizer(rules.adadelta({ learningRate: lr, rho: 0.9, epsilon: 1e-4 })), STEPS);
  const tfjsTrajectory = await optimizerTrajectory(tf.train.adadelta(lr, 0.9, 1e-4), STEPS);
  t.true(trajectoryError(oursTrajectory, referenceTrajectory(reference.adadelta(lr, 0.9, 1e-4), STEPS)) <= TOLERANCE);
  t.true(trajectoryError(tfjsTrajectory, referenceTrajectory(reference.adadelta(lr, 0.9, 1e-4, true), STEPS)) <= TOLERANCE);
  t.true(trajectoryError(oursTrajectory, tfjsTrajectory) > 1e-3, 'the two variants really differ');
});

test('centered rmsprop: tfjs subtracts ε under the root (√(s − m² − ε)); ours adds it as Graves does', async (t) => {
  const eps = 1e-3;
  const oursTrajectory = await optimizerTrajectory(toTfjsOptimizer(rules.rmsprop({ learningRate: 0.01, centered: true, epsilon: eps })), STEPS);
  const tfjsTrajectory = await optimizerTrajectory(tf.train.rmsprop(0.01, 0.9, 0, eps, true), STEPS);
  t.true(trajectoryError(oursTrajectory, referenceTrajectory(reference.rmsprop(0.01, 0.9, eps, 0, true, +1), STEPS)) <= TOLERANCE);
  t.true(trajectoryError(tfjsTrajectory, referenceTrajectory(reference.rmsprop(0.01, 0.9, eps, 0, true, -1), STEPS)) <= TOLERANCE);
});
