/**
 * Every rule, 50 steps on the rotated ill-conditioned quadratic (κ = 50), against
 * a float64 reference written from the textbook formula (test/helpers/reference.ts).
 */
import test from 'ava';
import { rules, setupBackend, type rules as R } from '../src/index.js';
import { ruleTrajectory } from './helpers/quadratic.js';
import { reference, referenceTrajectory, trajectoryError, type RefStep } from './helpers/reference.js';

const STEPS = 50;
const TOLERANCE = 1e-5;

test.before(async () => {
  await setupBackend('cpu');
});

const cases: Array<[string, () => R.UpdateRule, () => RefStep]> = [
  ['sgd', () => rules.sgd({ learningRate: 0.03 }), () => reference.sgd(0.03)],
  ['momentum', () => rules.momentum({ learningRate: 0.01, momentum: 0.9 }), () => reference.momentum(0.01, 0.9)],
  ['nesterov', () => rules.nesterov({ learningRate: 0.01, momentum: 0.9 }), () => reference.momentum(0.01, 0.9, true)],
  ['adagrad', () => rules.adagrad({ learningRate: 0.1 }), () => reference.adagrad(0.1, 0.1, 1e-7)],
  ['rmsprop', () => rules.rmsprop({ learningRate: 0.01 }), () => reference.rmsprop(0.01, 0.9, 1e-7)],
  ['rmsprop with momentum', () => rules.rmsprop({ learningRate: 0.01, momentum: 0.5 }), () => reference.rmsprop(0.01, 0.9, 1e-7, 0.5)],
  ['rmsprop centered', () => rules.rmsprop({ learningRate: 0.01, centered: true, epsilon: 1e-3 }), () => reference.rmsprop(0.01, 0.9, 1e-3, 0, true)],
  ['adadelta', () => rules.adadelta({ learningRate: 1, rho: 0.9, epsilon: 1e-4 }), () => reference.adadelta(1, 0.9, 1e-4)],
  ['adam', () => rules.adam({ learningRate: 0.05 }), () => reference.adam(0.05, 0.9, 0.999, 1e-7)],
  ['adamax', () => rules.adamax({ learningRate: 0.05 }), () => reference.adamax(0.05, 0.9, 0.999, 1e-7)],
  ['amsgrad', () => rules.amsgrad({ learningRate: 0.05, beta2: 0.9 }), () => reference.adam(0.05, 0.9, 0.9, 1e-7, { amsgrad: true })],
  ['adamw', () => rules.adamw({ learningRate: 0.05, weightDecay: 0.1 }), () => reference.adam(0.05, 0.9, 0.999, 1e-7, { weightDecay: 0.1 })],
  [
    'family7',
    () => rules.family7({ learningRate: 0.02, a1: 0.8, a2: 0.15, a3: 0.01, b1: 0.7, b2: 0.5, b3: 0.001, p0: 0.5 }),
    () => reference.family7({ lr: 0.02, a1: 0.8, a2: 0.15, a3: 0.01, b1: 0.7, b2: 0.5, b3: 0.001, p0: 0.5 }),
  ],
  ['sgd on a cosine schedule', () => rules.sgd({ learningRate: rules.cosineDecay({ initial: 0.03, decaySteps: 40, final: 0.001 }) }), () => {
    const lr = (t: number) => 0.001 + 0.5 * (0.03 - 0.001) * (1 + Math.cos((Math.PI * Math.min(t - 1, 40)) / 40));
    return (th, g, t) => th.map((x, i) => x - lr(t) * g[i]!);
  }],
  ['sgd after clipping by global norm 1', () => rules.chain(rules.clipByGlobalNorm(1), rules.sgd({ learningRate: 0.05 })), () => (th, g) => {
    const norm = Math.hypot(...g);
    const f = Math.min(1, 1 / norm);
    return th.map((x, i) => x - 0.05 * f * g[i]!);
  }],
  ['sgd after clipping by value 2', () => rules.chain(rules.clipByValue({ maxAbs: 2 }), rules.sgd({ learningRate: 0.02 })), () => (th, g) =>
    th.map((x, i) => x - 0.02 * Math.min(2, Math.max(-2, g[i]!)))],
];

for (const [name, makeRule, makeReference] of cases) {
  test(`${name}: 50 steps equal the textbook reference`, async (t) => {
    const expected = referenceTrajectory(makeReference(), STEPS);
    const actual = await ruleTrajectory(makeRule(), STEPS);
    const error = trajectoryError(actual, expected);
    t.true(error <= TOLERANCE, `relative error ${error.toExponential(2)}`);
    // The test is only meaningful if the optimizer actually moved.
    t.true(Math.abs(expected[STEPS - 1]![0]! - 1) > 1e-3);
  });
}
