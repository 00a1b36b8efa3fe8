/**
 * MAML's learned initialisation for few-shot episodes, on a SYNTHETIC Omniglot
 * stand-in in the exact format (never an Omniglot result): the second-order
 * meta-gradient against finite differences, FOMAML lowering the held-out query
 * loss, the initialisation's checkpoint round trip and refusals, and suite files.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { adaptedQueryLoss, decodeMamlConfig, metaGradient, trainMamlInitialization } from '../src/meta/maml/maml.js';
import { saveMamlInitialization } from '../src/meta/maml/mamlCheckpoint.js';
import { combineEstimates } from '../src/meta/microBatch.js';
import { decodeSuite } from '../src/suite/decode.js';
import { SuiteError } from '../src/suite/errors.js';
import { familyOf, omniglotFewShotTask } from '../src/tasks/index.js';
import { writeSyntheticOmniglot } from './helpers/synthetic.js';
import { prepareTask } from '../src/suite/prepare.js';

let root = '';
const tiny = { ways: 2, shots: 1, queries: 3, filters: 2 };

test.before(async () => {
  await setupBackend('wasm');
  root = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-maml-'));
  await writeSyntheticOmniglot(root);
});

test.serial('the second-order meta-gradient (through the inner SGD steps of a conv net) matches finite differences', async (t) => {
  // Four shots per class keep batch norm away from its degenerate two-image case, and a small inner step keeps
  // the adapted loss smooth enough for central differences (ReLU and max-pool kinks break them after a few big steps).
  const task = omniglotFewShotTask({ ways: 2, shots: 4, queries: 3, filters: 3, dataDir: root });
  await task.prepare!();
  const problem = task.instantiate([1_000_003, 1_000_004]);
  const config = { ...decodeMamlConfig({}, 'x'), innerSteps: 1, innerLearningRate: 0.05, firstOrder: false };
  const start = await problem.start.data();
  const theta0 = tf.variable(tf.tensor1d(start.slice(0, task.dimension)));
  const { loss, grad } = metaGradient(problem, theta0, config);
  const analytic = await grad.data();
  const outer = async (values: Float32Array) => {
    const probe = tf.tensor1d(values);
    const value = await adaptedQueryLoss(problem, probe, config);
    probe.dispose();
    return value;
  };
  const base = Float32Array.from(start.slice(0, task.dimension));
  t.true(Math.abs((await loss.data())[0]! - (await outer(base))) < 1e-5, 'the outer loss is the adapted query loss');
  // Probe the coordinates with the largest gradients, where a relative check means something.
  const order = Array.from(analytic.keys()).sort((a, b) => Math.abs(analytic[b]!) - Math.abs(analytic[a]!));
  const h = 1e-3;
  for (const i of order.slice(0, 4)) {
    const bump = (delta: number) => outer(base.map((v, j) => (j === i ? v + delta : v)));
    const numeric = ((await bump(h)) - (await bump(-h))) / (2 * h);
    t.true(Math.abs(numeric - analytic[i]!) <= 0.05 * Math.abs(numeric) + 1e-3, `θ₀[${i}]: ${analytic[i]} vs finite difference ${numeric}`);
  }
  // The first-order gradient is a different estimate (it drops the inner steps' Hessian terms).
  const first = metaGradient(problem, theta0, { ...config, firstOrder: true });
  const firstValues = await first.grad.data();
  t.true(firstValues.some((v, i) => Math.abs(v - analytic[i]!) > 1e-6));
  tf.dispose([loss, grad, first.loss, first.grad, theta0]);
  problem.dispose();
});

test.serial('FOMAML lowers the query loss after adaptation on held-out background episodes, keeps the best θ₀, and leaks nothing', async (t) => {
  const task = omniglotFewShotTask({ ways: 3, shots: 1, queries: 4, filters: 4, dataDir: root });
  await task.prepare!();
  const probe = task.instantiate([0]);
  const start = Float32Array.from(await probe.start.data());
  probe.dispose();
  const tensors = tf.memory().numTensors;
  const config = decodeMamlConfig({ iterations: 12, metaBatch: 4, innerSteps: 2, innerLearningRate: 0.3, outerLearningRate: 0.01, validateEvery: 4, validationEpisodes: 6 }, 'x');
  const { initialization, report } = await trainMamlInitialization(familyOf(task), start, config);
  t.is(tf.memory().numTensors - tensors, 0, 'no tensor leaks');
  t.is(report.method, 'fomaml');
  t.is(report.curve.length, 12);
  const [initial, ...later] = report.validation.map((v) => v.loss);
  const bestLoss = Math.min(...later);
  t.true(bestLoss < 0.9 * initial!, `validation query loss ${initial} → best ${bestLoss}`);
  t.is(report.validation.find((v) => v.iteration === report.bestIteration)!.loss, bestLoss, 'the kept θ₀ is the best validated one');
  t.is(initialization.length, task.dimension);
  t.true(initialization.some((v, i) => v !== start[i]));
});

test.serial('episodes in micro-batches: their meta-gradients, weighted by episodes, equal all together\'s, and a tiny memoryLimit gives the same outer losses', async (t) => {
  // Equal to 1e-6 on the cpu backend's arithmetic; XNNPACK (wasm) sums in another order. The other tests run on wasm, the default.
  await setupBackend('cpu');
  t.teardown(() => setupBackend('wasm'));
  const task = omniglotFewShotTask({ ways: 2, shots: 2, queries: 2, filters: 2, dataDir: root });
  await task.prepare!();
  const probe = task.instantiate([0]);
  const start = Float32Array.from(await probe.start.data());
  probe.dispose();
  for (const firstOrder of [true, false]) {
    const config = decodeMamlConfig({ iterations: 3, metaBatch: 3, innerSteps: 1, innerLearningRate: 0.1, outerLearningRate: 0.01, validateEvery: 1, validationEpisodes: 2, firstOrder }, 'x');
    const tensors = tf.memory().numTensors;
    // The meta-gradient of episodes [a, b, c] and the combination of [a, b]'s and [c]'s.
    const theta0 = tf.tidy(() => tf.variable(tf.tensor1d(start)));
    const seeds = [1_000_001, 1_000_002, 1_000_003];
    const gradientOf = async (part: number[]) => {
      const problem = task.instantiate(part);
      const { loss, grad } = metaGradient(problem, theta0, config);
      const metaLoss = (await loss.data())[0]!;
      tf.dispose(loss);
      problem.dispose();
      return { metaLoss, grads: [grad] };
    };
    const full = await gradientOf(seeds);
    const combined = combineEstimates([await gradientOf(seeds.slice(0, 2)), await gradientOf(seeds.slice(2))], [2, 1]);
    const exact = Array.from(await full.grads[0]!.data());
    const scale = exact.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const gap = Array.from(await combined.grads[0]!.data()).reduce((m, v, i) => Math.max(m, Math.abs(v - exact[i]!)), 0);
    t.true(scale > 0 && gap <= 1e-6 * Math.max(scale, 1), `first order ${firstOrder}: max |Δ∇θ₀| ${gap} (scale ${scale})`);
    t.true(Math.abs(combined.metaLoss - full.metaLoss) <= 1e-6 * full.metaLoss);
    tf.dispose([theta0, ...full.grads, ...combined.grads.filter((g) => g !== undefined)]);

    const whole = await trainMamlInitialization(familyOf(task), start, config);
    const split = await trainMamlInitialization(familyOf(task), start, { ...config, memoryLimit: 0.001 }); // 1 KiB: one episode at a time
    t.is(tf.memory().numTensors - tensors, 0, 'no tensor leaks');
    t.like(whole.report.microBatch, { tasks: 3, count: 1, fits: true });
    t.like(split.report.microBatch, { tasks: 1, count: 3, fits: false });
    // Outer losses and validation, not θ₀ coordinate by coordinate: conv biases under batch norm have a zero gradient
    // up to float noise, and Adam turns noise of either sign into steps of ±lr (in directions the loss does not see).
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.abs(b);
    whole.report.curve.forEach((p, i) => t.true(close(split.report.curve[i]!.metaLoss, p.metaLoss), `first order ${firstOrder}, iteration ${p.iteration}: ${split.report.curve[i]!.metaLoss} vs ${p.metaLoss}`));
    whole.report.validation.forEach((v, i) => t.true(close(split.report.validation[i]!.loss, v.loss), `first order ${firstOrder}, validation at ${v.iteration}: ${split.report.validation[i]!.loss} vs ${v.loss}`));
    t.true(new Set(whole.report.curve.map((p) => p.metaLoss)).size > 1, 'θ₀ moved');
  }
});

test.serial('a task with a maml option meta-trains its initialisation once, then loads it; a wrong-sized one is refused', async (t) => {
  const checkpoint = path.join(root, 'maml-checkpoint');
  const options = { ...tiny, dataDir: root, maml: { checkpoint, config: { iterations: 2, metaBatch: 2, innerSteps: 1, validateEvery: 1, validationEpisodes: 2 } } };
  const first = omniglotFewShotTask(options);
  t.is(first.id, 'omniglot-2way-1shot-maml');
  await prepareTask(first);
  t.true(existsSync(path.join(checkpoint, 'init.json')) && existsSync(path.join(checkpoint, 'init.bin')), 'meta-trained and saved');
  // Replace what was saved by a known vector: the next task must start from exactly that.
  const known = Float32Array.from({ length: first.dimension }, (_, i) => Math.sin(i));
  await saveMamlInitialization(checkpoint, known, { task: first.id, config: {}, report: { method: 'fomaml', curve: [], validation: [], bestIteration: 0, wallMs: 0 } });
  const again = omniglotFewShotTask(options);
  await prepareTask(again);
  const problem = again.instantiate([0, 1]);
  const rows = (await problem.start.array()) as number[][];
  t.true(rows.every((row) => row.every((v, i) => Math.abs(v - known[i]!) < 1e-7)), 'every episode starts from the loaded initialisation');
  const query = problem.heldOutLoss!(problem.start);
  t.deepEqual(query.shape, [2]);
  tf.dispose(query);
  problem.dispose();
  const wrong = path.join(root, 'maml-wrong');
  await saveMamlInitialization(wrong, new Float32Array(7), { task: 'x', config: {}, report: { method: 'fomaml', curve: [], validation: [], bestIteration: 0, wallMs: 0 } });
  await t.throwsAsync(prepareTask(omniglotFewShotTask({ ...tiny, dataDir: root, maml: { checkpoint: wrong } })), { message: /the initialisation has 7 parameters, the task's network \d+/ });
  await writeFile(path.join(wrong, 'init.json'), '{"kind": "something-else"');
  await t.throwsAsync(prepareTask(omniglotFewShotTask({ ...tiny, dataDir: root, maml: { checkpoint: wrong } })), { message: /init\.json: cannot read a MAML initialisation/ });
});

test('suite files: a maml folder is resolved beside the suite file, and a bad maml option is named by its path', (t) => {
  const suite = (maml: unknown) => ({ name: 'fewshot', steps: 2, seeds: 2, tasks: [{ task: 'omniglotFewShot', options: { ways: 5, maml } }], optimizers: [{ name: 'sgd', rule: 'sgd' }] });
  const decoded = decodeSuite(suite({ checkpoint: '../pretrained/maml-x', config: { iterations: 10 } }), '/some/where/suites/fewshot.json');
  t.is(decoded.tasks[0]!.id, 'omniglot-5way-1shot-maml');
  const error = t.throws(() => decodeSuite(suite({ checkpoint: 'x', config: { innerLearningRate: -1 } }), 'fewshot.json'), { instanceOf: SuiteError });
  t.true(error!.problems.some((p) => /^\$\.tasks\[0\]\.options\.maml\.config\.innerLearningRate: expected a positive number/.test(p)), error!.problems.join('\n'));
  const typo = t.throws(() => decodeSuite(suite({ checkpoint: 'x', config: { innerStep: 1 } }), 'fewshot.json'), { instanceOf: SuiteError });
  t.true(typo!.problems.some((p) => /options\.maml\.config\.innerStep: unknown option/.test(p)), typo!.problems.join('\n'));
});
