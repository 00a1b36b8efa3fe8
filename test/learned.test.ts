/**
 * The LearnedOptimizer interface end to end with the trivial learned optimizer
 * (a learned learning-rate schedule): meta-training, checkpoints and their
 * errors, and use as a tfjs optimizer, frozen and online.
 */
import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/index.js';
import { CheckpointError, LearnedLrSchedule, loadLearnedOptimizer, saveCheckpoint } from '../src/learned/index.js';
import { scoreRule } from '../src/loop/score.js';
import { objectiveScore } from '../src/meta/objective.js';
import { familyOf, randomQuadraticTask } from '../src/tasks/index.js';
import { quadraticLoss } from './helpers/quadratic.js';
import { metaTrain } from '../src/meta/metaTrain.js';
import { toTfjsOptimizer } from '../src/learned/tfjsOptimizer.js';

test.before(async () => {
  await setupBackend('cpu');
});

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'alphaopt-learned-'));

test.serial('meta-training by BPTT improves the schedule on held-out tasks', async (t) => {
  const optimizer = new LearnedLrSchedule({ horizon: 30, initialLearningRate: 0.002 });
  const task = randomQuadraticTask({ dimension: 4 });
  const heldOut = [5, 6, 7, 8, 9, 10, 11, 12];
  const before = await scoreRule(optimizer.rule(), task, heldOut, 30, objectiveScore(task, 'log'));
  const progress: number[] = [];
  const report = await metaTrain(optimizer, familyOf(task), { iterations: 60, unroll: 10, metaLearningRate: 0.1, validateEvery: 20 }, (p) => progress.push(p.metaLoss));
  const after = await scoreRule(optimizer.rule(), task, heldOut, 30, objectiveScore(task, 'log'));
  t.is(progress.length, 60);
  t.is(report.curve.length, 60);
  t.true(report.validation.length >= 4);
  t.true(after < before - 0.5, `held-out mean log-loss ${before.toFixed(3)} → ${after.toFixed(3)}`);
  const schedule = await optimizer.schedule();
  t.true(schedule.some((lr) => Math.abs(lr - 0.002) > 1e-3), 'the schedule moved away from its initial value');
  optimizer.dispose();
});

test.serial('loading refuses another kind, other shapes, and a broken manifest, each with a clear message', async (t) => {
  const dir = await tempDir();
  const optimizer = new LearnedLrSchedule({ horizon: 12 });
  await saveCheckpoint(optimizer, dir);
  await t.throwsAsync(loadLearnedOptimizer(dir, 'lstm'), { instanceOf: CheckpointError, message: /holds a 'lr-schedule' checkpoint, not 'lstm'/ });

  // Same kind, but the manifest's hyper-parameters disagree with the weights' shapes.
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
  await writeFile(manifestFile, JSON.stringify({ ...manifest, hyperParams: { ...manifest.hyperParams, horizon: 20 } }));
  await t.throwsAsync(loadLearnedOptimizer(dir), { instanceOf: CheckpointError, message: /weights\.bin has 48 bytes; the manifest describes 48|has shape \[12\] but this 'lr-schedule' optimizer needs \[20\]/ });

  await writeFile(manifestFile, JSON.stringify({ ...manifest, weights: 'none' }));
  await t.throwsAsync(loadLearnedOptimizer(dir), { instanceOf: CheckpointError, message: /is not an alphaopt checkpoint manifest: .*weights/ });
  await t.throwsAsync(loadLearnedOptimizer(path.join(dir, 'missing')), { instanceOf: CheckpointError, message: /cannot read .*manifest\.json/ });
  optimizer.dispose();
});

test.serial('frozen mode leaves φ untouched; online mode adapts the schedule by hyper-gradient descent', async (t) => {
  for (const mode of ['frozen', 'online'] as const) {
    const optimizer = new LearnedLrSchedule({ horizon: 50, initialLearningRate: 0.005 });
    const before = await optimizer.schedule();
    const tfOptimizer = toTfjsOptimizer(optimizer, mode);
    const theta = tf.variable(tf.tensor1d([1, 0.8]));
    const start = (await quadraticLoss(theta).data())[0]!;
    for (let i = 0; i < 40; i++) tfOptimizer.minimize(() => quadraticLoss(theta), false, [theta]);
    const end = (await quadraticLoss(theta).data())[0]!;
    const after = await optimizer.schedule();
    t.true(end < start, `${mode}: loss went down`);
    if (mode === 'frozen') t.deepEqual(after, before);
    else {
      // Entries 1…39 were each used once after a previous update existed; entries ≥ 40 never.
      const changed = after.map((lr, i) => Math.abs(lr / before[i]! - 1) > 1e-5);
      t.true(changed.slice(1, 40).every(Boolean), 'online mode adapted every schedule entry it used');
      t.false(changed.slice(40).some(Boolean), 'and no entry it did not use');
    }
    tfOptimizer.dispose();
    theta.dispose();
    optimizer.dispose();
  }
});
