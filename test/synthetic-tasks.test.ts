/** Li & Malik's synthetic task families: seeded, batch-independent, trainable, with checked options. */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { logisticRegressionTask, robustLinearRegressionTask, taskFromSpec, twoLayerNetTask } from '../src/tasks/index.js';

test.before(async () => {
  await setupBackend('cpu');
});

const families = [logisticRegressionTask(), robustLinearRegressionTask(), twoLayerNetTask()];

for (const task of families) {
  test(`${task.id}: a seed gives the same problem however runs are batched, and gradient descent lowers the loss`, async (t) => {
    const alone = task.instantiate([7]);
    const batched = task.instantiate([3, 7, 7]);
    t.deepEqual(batched.start.shape, [3, task.dimension]);
    const a = await alone.loss(alone.start, 0).data();
    const b = await batched.loss(batched.start, 0).data();
    t.true(Math.abs(a[0]! - b[1]!) < 1e-6 && b[1] === b[2], `${a[0]} vs ${b[1]}, ${b[2]}`);
    t.not(b[0], b[1], 'different seeds give different problems');
    let theta = tf.clone(batched.start);
    for (let step = 0; step < 50; step++) {
      const next = tf.tidy(() => tf.sub(theta, tf.mul(0.5, tf.grad((x: tf.Tensor) => tf.sum(batched.loss(x as tf.Tensor2D, step)))(theta))) as tf.Tensor2D);
      theta.dispose();
      theta = next;
    }
    const after = await batched.loss(theta, 50).data();
    after.forEach((l, i) => t.true(Number.isFinite(l) && l < b[i]!, `row ${i}: ${b[i]} → ${l}`));
    theta.dispose();
    alone.dispose();
    batched.dispose();
  });
}

test('the robust loss is bounded by 1 per point; logistic regression starts near log 2 at θ = 0', async (t) => {
  const robust = robustLinearRegressionTask().instantiate([1]);
  const far = tf.fill([1, 4], 1e4) as tf.Tensor2D;
  t.true((await robust.loss(far, 0).data())[0]! <= 1);
  const logistic = logisticRegressionTask().instantiate([1]);
  const zero = tf.zeros([1, 4]) as tf.Tensor2D;
  t.true(Math.abs((await logistic.loss(zero, 0).data())[0]! - Math.log(2)) < 1e-6);
  tf.dispose([far, zero]);
  robust.dispose();
  logistic.dispose();
});

test('suite options of the synthetic families are checked', (t) => {
  t.is(taskFromSpec({ task: 'twoLayerNet', options: { hidden: [3], classes: 3 } }).dimension, 2 * 3 + 3 + 3 * 3 + 3);
  t.is(taskFromSpec({ task: 'logisticRegression', options: { dimension: 5 } }).dimension, 6);
  t.throws(() => taskFromSpec({ task: 'logisticRegression', options: { hidden: [2] } }, '$.tasks[0]'), { message: /\$\.tasks\[0\]\.options\.hidden: unknown option for logisticRegression/ });
  t.throws(() => taskFromSpec({ task: 'twoLayerNet', options: { hidden: [2, 2] } }, 'task'), { message: /task\.options\.hidden: expected one positive integer/ });
  t.throws(() => taskFromSpec({ task: 'robustLinearRegression', options: { points: 0 } }, 'task'), { message: /task\.options\.points: expected a positive integer/ });
});
