/**
 * The evaluation curve: scheduled steps, the training loss measured by the task's
 * trainLoss (not the step's minibatch), test metrics, the numbers read off the
 * curve, and the report's use of them.
 */
import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { sgd } from '../src/rules/index.js';
import { evaluationSteps } from '../src/suite/evaluation.js';
import { runGroup } from '../src/suite/execute.js';
import { summarize, writeReport } from '../src/reporting/index.js';
import type { Problem, Task } from '../src/tasks/types.js';

test.before(async () => {
  await setupBackend('cpu');
});

test('the schedule: step 0, every N, and the last step', (t) => {
  t.deepEqual(evaluationSteps(10, 4), [0, 4, 8, 10]);
  t.deepEqual(evaluationSteps(10, 5), [0, 5, 10]);
  t.deepEqual(evaluationSteps(3, 10), [0, 3]);
});

/**
 * f(θ) = θ² per row; its "minibatch" loss adds a step-dependent offset (as a noisy batch would), so a curve
 * that read the minibatch loss instead of trainLoss would be off by it.
 */
function bowlTask(): Task {
  return {
    id: 'bowl',
    dimension: 1,
    threshold: 0.05,
    optimum: 0,
    lossScale: 'log',
    instantiate(seeds): Problem {
      const start = tf.tensor2d(seeds.map((s) => [1 + s]), [seeds.length, 1]);
      const full = (theta: tf.Tensor2D) => tf.tidy(() => tf.sum(tf.square(theta), 1) as tf.Tensor1D);
      return {
        seeds,
        start,
        loss: (theta, step) => tf.tidy(() => tf.add(full(theta), step % 2 === 0 ? 0.5 : 0) as tf.Tensor1D),
        async trainLoss(theta) {
          const l = full(theta);
          const values = Array.from(await l.data());
          l.dispose();
          return values;
        },
        async evaluate(theta) {
          const l = full(theta);
          const values = Array.from(await l.data());
          l.dispose();
          return values.map((v) => ({ testLoss: v, testAccuracy: v < 0.1 ? 1 : 0 }));
        },
        dispose: () => start.dispose(),
      };
    },
  };
}

test('runs record the evaluation curve from trainLoss at the schedule, with test metrics and the steps and time to the target', async (t) => {
  const before = tf.memory().numTensors;
  const [r0, r1] = await runGroup({
    task: bowlTask(),
    optimizer: 'sgd',
    rows: [0, 1].map((seed) => ({ seed, hparams: {} })),
    steps: 10,
    backend: 'cpu',
    buildRule: () => ({ rule: sgd({ learningRate: 0.1 }), dispose: () => undefined }),
    evaluation: { every: 4 },
  });
  t.is(tf.memory().numTensors, before, 'no tensor leaks');
  const curve = r0!.evaluation!;
  t.deepEqual(curve.steps, [0, 4, 8, 10]);
  // θ_k = θ_0 · 0.8^k for f = θ² and η = 0.1: the curve is the full loss, without the minibatch offset.
  const expected = curve.steps.map((k) => (1 * 0.8 ** k) ** 2);
  curve.loss.forEach((l, i) => t.true(Math.abs(l! - expected[i]!) < 1e-5, `step ${curve.steps[i]}: ${l} vs ${expected[i]}`));
  t.is(r0!.losses[0], 1.5, 'the minibatch curve is kept as it was (offset at even steps)');
  t.deepEqual(curve.testAccuracy, [0, 0, 1, 1]);
  t.is(curve.ms.length, 4);
  t.true(curve.ms.every((ms, i) => i === 0 || ms >= curve.ms[i - 1]!));
  t.true(curve.source.includes('full training set'));
  t.is(r0!.metrics!['evalLoss'], curve.loss.at(-1)!);
  t.true(Math.abs(r0!.metrics!['evalAuc']! - curve.loss.reduce<number>((a, b) => a + b!, 0) / 4) < 1e-6);
  // 0.64^8 = 0.028 ≤ 0.05 first at step 8; seed 1 starts at 2: 4·0.8^20 = 0.046 at step 10.
  t.is(r0!.metrics!['stepsToTarget'], 8);
  t.is(r0!.metrics!['msToTarget'], curve.ms[2]);
  t.is(r1!.metrics!['stepsToTarget'], 10);
});

test('the report ranks by an evaluation metric when it is the primary one, states the curve, and plots it', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-eval-'));
  const records = [];
  for (const [lr, name] of [[0.1, 'slow'], [0.3, 'fast']] as const) {
    records.push(
      ...(await runGroup({
        task: bowlTask(),
        optimizer: name,
        rows: [0, 1, 2].map((seed) => ({ seed, hparams: { learningRate: lr } })),
        steps: 8,
        backend: 'cpu',
        buildRule: () => ({ rule: sgd({ learningRate: lr }), dispose: () => undefined }),
        evaluation: { every: 2 },
      })),
    );
  }
  const [bowl] = summarize(records, { metric: 'stepsToTarget' });
  t.deepEqual(bowl!.optimizers.map((o) => o.optimizer), ['fast', 'slow']);
  t.is(bowl!.optimizers[0]!.primary!.metric, 'stepsToTarget');
  await writeFile(path.join(dir, 'runs.jsonl'), records.map((r) => JSON.stringify(r)).join('\n'));
  const result = await writeReport(dir, { png: false, protocol: { metric: 'evalLoss' } });
  const md = await readFile(path.join(dir, 'summary.md'), 'utf8');
  t.regex(md, /Primary metric: \*\*evaluation loss at the last step\*\*/);
  t.regex(md, /Evaluation curve .*bowl: every 2 steps, training loss on the full training set; target: loss ≤ 0\.05/);
  t.regex(md, /Ranked by evaluation loss at the last step/);
  t.true(result.files.some((f) => f.endsWith('eval-loss-bowl.svg')));
  t.true(result.files.some((f) => f.endsWith('eval-testAccuracy-bowl.svg')));
});
