/**
 * The tensor count after each of `steps` updates of `rule` on `task`'s problem for seeds 1 and 2 (the rows of one
 * problem, on its full-batch loss), everything disposed after: the counts of a rule that frees its temporaries and
 * old state stop moving once its state exists.
 */
import * as tf from '@tensorflow/tfjs';
import { treeTensors, type UpdateRule } from '../../src/rules/index.js';
import type { Task } from '../../src/tasks/index.js';

export function tensorCountsAcrossSteps(rule: UpdateRule, task: Task, steps: number): number[] {
  const problem = task.instantiate([1, 2]);
  let theta = tf.clone(problem.start);
  let state = rule.init([theta]);
  const counts: number[] = [];
  for (let step = 0; step < steps; step++) {
    const next = tf.tidy(() => {
      const loss = problem.loss(theta, step);
      const grad = tf.grad((x: tf.Tensor) => tf.sum(problem.loss(x as tf.Tensor2D, step)))(theta);
      const out = rule.update({ grads: [grad], params: [theta], loss, step }, state);
      return { theta: tf.add(theta, out.updates[0]!) as tf.Tensor2D, state: out.state };
    });
    tf.dispose([theta, ...treeTensors(state)]);
    theta = next.theta;
    state = next.state;
    counts.push(tf.memory().numTensors);
  }
  tf.dispose([theta, ...treeTensors(state)]);
  problem.dispose();
  return counts;
}
