/** The reference quadratic as tensors, and ways to run a rule on it. */
import * as tf from '@tensorflow/tfjs';
import type { UpdateRule } from '../../src/rules/index.js';
import { applyUpdates, treeTensors } from '../../src/rules/index.js';
import { QUADRATIC, type Vec } from './reference.js';

/** Loss of θ (a length-2 vector) as a tensor, differentiable. */
export function quadraticLoss(theta: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const c = Math.cos(QUADRATIC.angle);
    const s = Math.sin(QUADRATIC.angle);
    const rotation = tf.tensor2d([c, s, -s, c], [2, 2]); // R(−angle)
    const u = tf.matMul(rotation, theta.reshape([2, 1])).reshape([2]);
    return tf.mul(0.5, tf.sum(tf.mul(tf.tensor1d([...QUADRATIC.curvatures]), tf.square(u)))) as tf.Scalar;
  });
}

/** Runs a rule functionally (init/update) for `steps` steps; returns θ after each step. */
export async function ruleTrajectory(rule: UpdateRule, steps: number, start: Vec = QUADRATIC.start): Promise<Vec[]> {
  let theta: tf.Tensor = tf.tensor1d(start);
  let state = rule.init([theta]);
  const out: Vec[] = [];
  for (let step = 0; step < steps; step++) {
    const [nextTheta, nextState] = tf.tidy(() => {
      const grad = tf.grad((x: tf.Tensor) => quadraticLoss(x))(theta);
      const { updates, state: s } = rule.update({ grads: [grad], params: [theta], step }, state);
      return [applyUpdates([theta], updates)[0] as tf.Tensor, s] as const;
    });
    tf.dispose([theta, ...treeTensors(state)]);
    theta = nextTheta;
    state = nextState;
    out.push(Array.from(await theta.data()));
  }
  tf.dispose([theta, ...treeTensors(state)]);
  return out;
}

/** Runs a tf.Optimizer with minimize() on a variable; returns θ after each step. */
export async function optimizerTrajectory(optimizer: tf.Optimizer, steps: number, start: Vec = QUADRATIC.start): Promise<Vec[]> {
  const theta = tf.variable(tf.tensor1d(start));
  const out: Vec[] = [];
  for (let i = 0; i < steps; i++) {
    optimizer.minimize(() => quadraticLoss(theta), false, [theta]);
    out.push(Array.from(await theta.data()));
  }
  theta.dispose();
  optimizer.dispose();
  return out;
}
