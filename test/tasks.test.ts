import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/index.js';
import { LANDSCAPES, gradientNoise, landscapeStart, landscapeTask, randomQuadraticTask } from '../src/tasks/index.js';

test.before(async () => {
  await setupBackend('cpu');
});

for (const landscape of LANDSCAPES) {
  test(`${landscape.id}: tensor and number forms agree, and the known minima are minima`, async (t) => {
    const task = landscapeTask(landscape);
    const points: Array<[number, number]> = [landscape.start, [0.3, -0.7], [1.1, 0.4], ...(landscape.minima ?? [])];
    const problem = task.instantiate(points.map((_, i) => i));
    const theta = tf.tensor2d(points.flat(), [points.length, 2]);
    const values = await problem.loss(theta, 0).data();
    points.forEach(([x, y], i) => {
      const expected = task.landscape!.f(x, y);
      t.true(Math.abs((values[i] as number) - expected) <= 1e-4 * Math.max(1, Math.abs(expected)), `${landscape.id} at (${x}, ${y})`);
    });
    for (const [x, y] of landscape.minima ?? []) {
      t.true(Math.abs(task.landscape!.f(x, y) - (landscape.optimum ?? 0)) < 1e-6, `f at minimum (${x}, ${y})`);
      const g = tf.grad((p: tf.Tensor) => problem.loss(p as tf.Tensor2D, 0).sum())(tf.tensor2d([x, y], [1, 2]));
      t.true(Math.max(...Array.from(await g.data()).map(Math.abs)) < 1e-3, `gradient at minimum (${x}, ${y})`);
      g.dispose();
    }
    tf.dispose(theta);
    problem.dispose();
  });
}

test('seed 0 starts at the fixed start; other seeds start at distinct, reproducible random points in the box', (t) => {
  const rosenbrock = LANDSCAPES.find((l) => l.id === 'rosenbrock')!;
  t.deepEqual(landscapeStart(rosenbrock, 0), rosenbrock.start);
  const a = landscapeStart(rosenbrock, 3);
  t.deepEqual(landscapeStart(rosenbrock, 3), a);
  t.notDeepEqual(landscapeStart(rosenbrock, 4), a);
  for (let seed = 1; seed < 50; seed++) {
    const [x, y] = landscapeStart(rosenbrock, seed);
    t.true(Math.abs(x - rosenbrock.start[0]) <= rosenbrock.spread[0] && Math.abs(y - rosenbrock.start[1]) <= rosenbrock.spread[1]);
  }
});

test('random quadratics: an instance depends only on its seed, not on the batch it is drawn in', async (t) => {
  const task = randomQuadraticTask({ dimension: 10 });
  const alone = task.instantiate([7]);
  const batched = task.instantiate([3, 7, 9]);
  const a = await alone.loss(alone.start, 0).data();
  const b = await batched.loss(batched.start, 0).data();
  t.is(a[0], b[1]);
  t.not(b[0], b[1]);
  t.deepEqual(Array.from(await alone.start.data()), Array.from((await batched.start.data()).slice(10, 20)));
  // ‖Wθ − y‖² is zero at θ* = W⁻¹y; check the loss can get near it with plain gradient descent.
  t.true((a[0] as number) > 1);
  alone.dispose();
  batched.dispose();
});

test('gradient noise is reproducible per (seed, step), independent across steps, and has the requested scale', async (t) => {
  const n1 = await gradientNoise([1, 2], 5, 1000, 0.5).data();
  const n2 = await gradientNoise([1, 2], 5, 1000, 0.5).data();
  const n3 = await gradientNoise([1], 6, 1000, 0.5).data();
  t.deepEqual(n1, n2);
  t.notDeepEqual(Array.from(n1.slice(0, 1000)), Array.from(n3));
  const first = Array.from(n1.slice(0, 1000));
  const mean = first.reduce((a, b) => a + b, 0) / first.length;
  const std = Math.sqrt(first.reduce((a, b) => a + (b - mean) ** 2, 0) / first.length);
  t.true(Math.abs(mean) < 0.06 && Math.abs(std - 0.5) < 0.05, `mean ${mean}, std ${std}`);
});
