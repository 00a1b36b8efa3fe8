/**
 * Rules are differentiable: the gradient of the loss after 10 unrolled steps with
 * respect to a hyper-parameter (a hyper-gradient) matches a central finite
 * difference of the float64 reference optimizer.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { rules, setupBackend } from '../src/index.js';
import { QUADRATIC, reference, referenceTrajectory } from './helpers/reference.js';
import { quadraticLoss } from './helpers/quadratic.js';

const UNROLL = 10;
const TOLERANCE = 1e-3;

test.before(async () => {
  await setupBackend('cpu');
});

/** ∇f(θ) = R·diag(c)·Rᵀθ as a differentiable op (no nested tf.grad needed). */
function quadraticGrad(theta: tf.Tensor): tf.Tensor {
  const c = Math.cos(QUADRATIC.angle);
  const s = Math.sin(QUADRATIC.angle);
  const r = tf.tensor2d([c, -s, s, c], [2, 2]);
  const hessian = tf.matMul(tf.matMul(r, tf.diag(tf.tensor1d([...QUADRATIC.curvatures]))), r, false, true);
  return tf.matMul(hessian, theta.reshape([2, 1])).reshape([2]);
}

function unrolledLoss(rule: rules.UpdateRule): tf.Scalar {
  let theta: tf.Tensor = tf.tensor1d(QUADRATIC.start);
  let state = rule.init([theta]);
  for (let step = 0; step < UNROLL; step++) {
    const out = rule.update({ grads: [quadraticGrad(theta)], params: [theta], step }, state);
    theta = rules.applyUpdates([theta], out.updates)[0] as tf.Tensor;
    state = out.state;
  }
  return quadraticLoss(theta);
}

function finalReferenceLoss(step: () => (th: number[], g: number[], t: number) => number[]): number {
  const trajectory = referenceTrajectory(step(), UNROLL);
  return QUADRATIC.loss(trajectory[UNROLL - 1]!);
}

function centralDifference(f: (x: number) => number, x: number): number {
  const h = Math.max(Math.abs(x), 1e-3) * 1e-6;
  return (f(x + h) - f(x - h)) / (2 * h);
}

async function hyperGradient(build: (h: tf.Scalar) => rules.UpdateRule, at: number): Promise<number> {
  const h = tf.scalar(at);
  const g = tf.grad((x: tf.Tensor) => unrolledLoss(build(x as tf.Scalar)))(h);
  const [value] = await g.data();
  tf.dispose([h, g]);
  return value as number;
}

test('hyper-gradient of 10 Adam steps w.r.t. the learning rate matches finite differences', async (t) => {
  const lr = 0.05;
  const expected = centralDifference((x) => finalReferenceLoss(() => reference.adam(x, 0.9, 0.999, 1e-7)), lr);
  const actual = await hyperGradient((h) => rules.adam({ learningRate: h }), lr);
  t.true(Math.abs(actual - expected) <= TOLERANCE * Math.abs(expected), `autodiff ${actual} vs finite difference ${expected}`);
  t.true(Math.abs(expected) > 1e-3, 'the hyper-gradient is not trivially zero');
});

test('hyper-gradients of 10 Adam steps w.r.t. β₁ and β₂ match finite differences', async (t) => {
  for (const [name, at] of [['beta1', 0.9], ['beta2', 0.99]] as const) {
    const ref = (x: number) =>
      finalReferenceLoss(() => reference.adam(0.05, name === 'beta1' ? x : 0.9, name === 'beta2' ? x : 0.99, 1e-7));
    const expected = centralDifference(ref, at);
    const actual = await hyperGradient((h) => rules.adam({ learningRate: 0.05, beta1: name === 'beta1' ? h : 0.9, beta2: name === 'beta2' ? h : 0.99 }), at);
    t.true(Math.abs(actual - expected) <= TOLERANCE * Math.abs(expected), `${name}: autodiff ${actual} vs finite difference ${expected}`);
  }
});

const base = { learningRate: 0.02, a1: 0.8, a2: 0.15, a3: 0.01, b1: 0.7, b2: 0.5, b3: 0.001 };
for (const name of rules.FAMILY7_NAMES) {
  test(`family7: hyper-gradient w.r.t. ${name} matches finite differences`, async (t) => {
    const at = base[name];
    const ref = (x: number) => {
      const h = { ...base, [name]: x };
      return finalReferenceLoss(() => reference.family7({ lr: h.learningRate, a1: h.a1, a2: h.a2, a3: h.a3, b1: h.b1, b2: h.b2, b3: h.b3, p0: 0.5 }));
    };
    const expected = centralDifference(ref, at);
    const actual = await hyperGradient((h) => rules.family7({ ...base, [name]: h, p0: 0.5 }), at);
    t.true(Math.abs(actual - expected) <= TOLERANCE * Math.max(Math.abs(expected), 1e-6), `autodiff ${actual} vs finite difference ${expected}`);
    t.true(Math.abs(expected) > 1e-6, 'the hyper-gradient is not trivially zero');
  });
}
