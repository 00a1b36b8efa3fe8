/**
 * The Omniglot few-shot pipeline on a SYNTHETIC stand-in written in Omniglot's
 * exact format (zips of alphabet/character/drawing.png, 105×105): episodes,
 * rotations, the four-block conv net, and a suite run end to end in which a
 * learned optimizer meta-trains on background episodes and is tested frozen on
 * evaluation episodes. Nothing here is an Omniglot result.
 */
import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { loadOmniglot } from '../src/data/omniglot.js';
import { RunRecord } from '../src/suite/record.js';
import { decodeSuite } from '../src/suite/decode.js';
import { runSuite } from '../src/suite/runner.js';
import { episodeOf, episodeSplit, fourBlockNet, omniglotFewShotTask, rotateQuarter, sampleEpisode } from '../src/tasks/index.js';
import { familyOf } from '../src/tasks/types.js';
import { normals, rng } from '../src/random.js';
import { writeSyntheticOmniglot } from './helpers/synthetic.js';

let root = '';

test.before(async () => {
  await setupBackend('wasm');
  root = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-synthetic-omniglot-'));
  await writeSyntheticOmniglot(root);
});

test.serial('episodes: N-way K-shot with Q queries per class, background seeds add rotated classes, evaluation seeds never touch background alphabets', async (t) => {
  const background = await loadOmniglot('background', { dataDir: root });
  const evaluation = await loadOmniglot('evaluation', { dataDir: root });
  t.is(background.length, 6);
  const e = sampleEpisode(evaluation, 3, { ways: 3, shots: 2, queries: 5, rotations: false, size: 28 });
  t.is(e.support.labels.length, 6);
  t.is(e.query.images.length, 15 * 28 * 28);
  t.deepEqual([0, 1, 2].map((l) => e.support.labels.filter((x) => x === l).length), [2, 2, 2]);
  t.deepEqual(sampleEpisode(evaluation, 3, { ways: 3, shots: 2, queries: 5, rotations: false, size: 28 }), e, 'a seed gives the same episode');
  t.throws(() => sampleEpisode(evaluation, 3, { ways: 7, shots: 1, queries: 1, rotations: false, size: 28 }), { message: /7-way episodes need 7 classes; the split has 6/ });
  // With rotations there are 24 classes, so 7-way episodes exist.
  t.is(sampleEpisode(background, 3, { ways: 7, shots: 1, queries: 1, rotations: true, size: 28 }).support.labels.length, 7);
  // Rotation: four quarter turns are the identity; one turn moves the top-right corner to the top-left.
  const image = Float32Array.from({ length: 9 }, (_, i) => i);
  t.deepEqual([...rotateQuarter(image, 3, 4)], [...image]);
  t.deepEqual([...rotateQuarter(image, 3, 1)], [2, 5, 8, 1, 4, 7, 0, 3, 6]);
});

test.serial('episode sampling never mixes the splits: meta-training and meta-validation episodes are background drawings (or their rotations), suite episodes evaluation drawings, unrotated', async (t) => {
  // Each drawing is marked with its split, character and number in a corner-asymmetric pattern, so every rotation stays distinct.
  const marked = (split: number, character: number, drawing: number) => {
    const image = new Float32Array(784);
    image.set([1 + split, 0.01 * (character + 1), 0.01 * (drawing + 1)]);
    return image;
  };
  const alphabet = (split: number, name: string) => Array.from({ length: 6 }, (_, c) => ({ alphabet: name, character: `character${c}`, drawings: Array.from({ length: 20 }, (_, d) => marked(split, c, d)) }));
  const splits = { background: alphabet(0, 'Background'), evaluation: alphabet(1, 'Evaluation') };
  const key = (image: Float32Array) => Array.from(image, (v) => v.toFixed(5)).join(',');
  const drawings = (split: 'background' | 'evaluation', turns: number[]) => new Set(splits[split].flatMap((c) => c.drawings.flatMap((d) => turns.map((k) => key(rotateQuarter(d, 28, k))))));
  const background = drawings('background', [0, 1, 2, 3]);
  const evaluation = drawings('evaluation', [0]);
  const upright = drawings('background', [0]);
  const family = familyOf(omniglotFewShotTask({ dataDir: root }));
  const seeds = { background: [...Array.from({ length: 15 }, (_, i) => family.metaTrainSeed(i)), ...Array.from({ length: 15 }, (_, i) => family.metaValidationSeed(i))], evaluation: Array.from({ length: 30 }, (_, i) => i) };
  let rotated = 0;
  for (const split of ['background', 'evaluation'] as const) {
    for (const seed of seeds[split]) {
      t.is(episodeSplit(seed), split);
      const e = episodeOf(splits, seed, { ways: 3, shots: 2, queries: 3, size: 28 });
      for (const set of [e.support, e.query]) {
        for (let i = 0; i < set.labels.length; i++) {
          const image = key(set.images.subarray(i * 784, (i + 1) * 784));
          t.true((split === 'background' ? background : evaluation).has(image), `seed ${seed}: image ${i} comes from the ${split} split`);
          t.false((split === 'background' ? evaluation : background).has(image), `seed ${seed}: image ${i} is not from the other split`);
          if (split === 'background' && !upright.has(image)) rotated++;
        }
      }
    }
  }
  t.true(rotated > 0, 'background episodes use the rotated classes');
});

test.serial('metaTrainQueries sets the queries of background (meta-training and meta-validation) episodes only; every row starts at the initialisation; nothing leaks', async (t) => {
  const family = familyOf(omniglotFewShotTask({ ways: 3, shots: 1, queries: 5, metaTrainQueries: 1, filters: 8, dataDir: root }));
  await family.task.prepare!();
  const seeds = [family.metaTrainSeed(0), family.metaValidationSeed(0), 0];
  const before = tf.memory();
  const problem = family.task.instantiate(seeds);
  const D = family.task.dimension;
  // What instantiate uploads: the start rows, then per episode 3 support images and 3·(1 or 5) queries of 28×28.
  const images = 3 * 3 + 3 * (1 + 1 + 5);
  t.is(tf.memory().numBytes - before.numBytes, 4 * (seeds.length * D + images * 784), 'background episodes hold 1 query per class, the evaluation episode 5');
  const start = await problem.start.data();
  const reference = familyOf(omniglotFewShotTask({ ways: 3, shots: 1, filters: 8, dataDir: root })).task;
  await reference.prepare!();
  const one = reference.instantiate([0]);
  const initial = await one.start.data();
  for (let r = 0; r < seeds.length; r++) t.deepEqual(start.subarray(r * D, (r + 1) * D), initial, `row ${r} is the initialisation`);
  const queryLoss = problem.heldOutLoss!(problem.start);
  const query = await queryLoss.data();
  queryLoss.dispose();
  t.is(query.length, 3);
  t.true([...query].every(Number.isFinite));
  problem.dispose();
  one.dispose();
  t.is(tf.memory().numTensors, before.numTensors, 'instantiate and dispose leave no tensor behind');
  // The default is `queries`: a background episode of the plain task holds 5 queries per class.
  const plain = omniglotFewShotTask({ ways: 3, shots: 1, queries: 5, filters: 8, dataDir: root });
  await plain.prepare!();
  const bytes = tf.memory().numBytes;
  const meta = plain.instantiate([family.metaTrainSeed(0)]);
  t.is(tf.memory().numBytes - bytes, 4 * (D + (3 + 15) * 784));
  meta.dispose();
});

test.serial('the four-block net has the standard shape and trains on a support set', async (t) => {
  const net = fourBlockNet(5, 64);
  // 4 conv blocks (3·3·cin·64 + 64 bias + 64 + 64 BN) and a 64 → 5 head.
  t.is(net.dimension, 3 * 3 * 1 * 64 + 64 + 128 + 3 * (3 * 3 * 64 * 64 + 64 + 128) + 64 * 5 + 5);
  const task = omniglotFewShotTask({ ways: 3, shots: 2, queries: 4, filters: 8, dataDir: root });
  await task.prepare!();
  const problem = task.instantiate([0, 5]);
  let theta = tf.clone(problem.start);
  const before = await problem.loss(theta, 0).data();
  for (let step = 0; step < 15; step++) {
    const next = tf.tidy(() => tf.sub(theta, tf.mul(0.3, tf.grad((x: tf.Tensor) => tf.sum(problem.loss(x as tf.Tensor2D, step)))(theta))) as tf.Tensor2D);
    theta.dispose();
    theta = next;
  }
  const after = await problem.loss(theta, 15).data();
  t.true(after[0]! < 0.5 * before[0]! && after[1]! < 0.5 * before[1]!, `support loss ${before} → ${after}`);
  const metrics = await problem.evaluate!(theta);
  t.true(metrics.every((m) => m['testAccuracy']! >= 0 && m['testAccuracy']! <= 1 && Number.isFinite(m['testLoss'])));
  theta.dispose();
  problem.dispose();
  const draw = rng(1);
  t.is(net.initialize(() => normals(draw, 1)[0]!).length, net.dimension);
});

test.serial('a few-shot suite runs end to end: a learned optimizer meta-trains on background episodes and is tested frozen on evaluation episodes', async (t) => {
  const out = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-fewshot-run-'));
  const previous = process.env['ALPHAOPT_DATA'];
  process.env['ALPHAOPT_DATA'] = root;
  try {
    const suite = decodeSuite(
      {
        name: 'synthetic-fewshot',
        steps: 5,
        seeds: 4,
        tasks: [{ task: 'omniglotFewShot', id: 'synthetic-3way-1shot', options: { ways: 3, shots: 1, queries: 5, filters: 8 } }],
        optimizers: [
          { name: 'sgd', rule: 'sgd', grid: { learningRate: [0.1, 0.5] } },
          {
            name: 'lr-schedule',
            learned: { kind: 'lr-schedule', hyperParams: { horizon: 5, base: 'adam' }, metaTrain: { task: { task: 'omniglotFewShot', options: { ways: 3, shots: 1, queries: 5, filters: 8 } }, config: { iterations: 3, unroll: 5, horizon: 5, tasksPerIteration: 2, validateEvery: 3, validationTasks: 2 } } },
          },
        ],
        metrics: ['finalLoss', 'testAccuracy'],
      },
      path.join(out, 'suite.json'),
    );
    await runSuite(suite, { out, backend: 'wasm', log: () => undefined });
    const records = (await readFile(path.join(out, 'runs.jsonl'), 'utf8')).trim().split('\n').map((line) => RunRecord.is(JSON.parse(line)) && (JSON.parse(line) as RunRecord));
    t.is(records.length, 2 * 4 + 4);
    for (const r of records) {
      if (r === false) return t.fail('a record does not decode');
      t.true(r.metrics!['testAccuracy']! >= 0 && r.metrics!['testAccuracy']! <= 1);
      t.true(r.seed < 4, 'suite episodes are evaluation episodes (seeds below 1e6)');
    }
    const summary = await readFile(path.join(out, 'summary.md'), 'utf8');
    t.regex(summary, /synthetic-3way-1shot/);
    t.regex(summary, /testAccuracy/);
    t.regex(summary, /\| \d[\d.]* ± \d[\d.e-]* \|/, 'accuracy is reported with its 95% confidence interval');
  } finally {
    if (previous === undefined) delete process.env['ALPHAOPT_DATA'];
    else process.env['ALPHAOPT_DATA'] = previous;
  }
  await writeFile(path.join(out, 'done'), '');
});

test.serial('the registered gradient of Conv2DBackpropFilter matches finite differences (second order through a conv)', async (t) => {
  // h(x) = Σ S ⊙ ∂/∂W [Σ R ⊙ conv(x, W)]: the inner gradient is Conv2DBackpropFilter(x, R), bilinear in x.
  const w = tf.randomNormal([3, 3, 2, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const r = tf.randomNormal([1, 5, 5, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
  const s = tf.randomNormal([3, 3, 2, 3], 0, 1, 'float32', 3);
  const h = (x: tf.Tensor) => tf.sum(tf.mul(s, tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(r, tf.conv2d(x as tf.Tensor4D, ww as tf.Tensor4D, 1, 'same'))))(w)));
  const x0 = tf.randomNormal([1, 5, 5, 2], 0, 1, 'float32', 4);
  const analytic = await tf.grad(h)(x0).data();
  const base = await x0.data();
  for (const i of [0, 7, 23, 49]) {
    const bump = (e: number) => tf.tidy(() => h(tf.tensor(base.map((v, j) => (j === i ? v + e : v)), x0.shape)).dataSync()[0]!);
    const numeric = (bump(1e-2) - bump(-1e-2)) / 2e-2;
    t.true(Math.abs(numeric - analytic[i]!) < 1e-2 * Math.max(1, Math.abs(numeric)), `x[${i}]: ${analytic[i]} vs ${numeric}`);
  }
  tf.dispose([w, r, s, x0]);
});

test.serial('the registered gradient of MaxPoolGrad matches finite differences', async (t) => {
  // h(y) = Σ S ⊙ ∂/∂x [Σ y ⊙ maxPool(x)]: MaxPoolGrad(y, x, pool(x)) is linear in y.
  const x = tf.randomNormal([1, 5, 5, 2], 0, 1, 'float32', 5) as tf.Tensor4D;
  const s = tf.randomNormal([1, 5, 5, 2], 0, 1, 'float32', 6);
  const h = (y: tf.Tensor) => tf.sum(tf.mul(s, tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(y, tf.maxPool(xx as tf.Tensor4D, 2, 2, 'valid'))))(x)));
  const y0 = tf.randomNormal([1, 2, 2, 2], 0, 1, 'float32', 7);
  const analytic = await tf.grad(h)(y0).data();
  const base = await y0.data();
  for (let i = 0; i < 8; i++) {
    const bump = (e: number) => tf.tidy(() => h(tf.tensor(base.map((v, j) => (j === i ? v + e : v)), y0.shape)).dataSync()[0]!);
    const numeric = (bump(1e-2) - bump(-1e-2)) / 2e-2;
    t.true(Math.abs(numeric - analytic[i]!) < 1e-3 * Math.max(1, Math.abs(numeric)), `y[${i}]: ${analytic[i]} vs ${numeric}`);
  }
  tf.dispose([x, s, y0]);
});
