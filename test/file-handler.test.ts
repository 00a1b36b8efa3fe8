/**
 * `model.save('file://…')` / `tf.loadLayersModel('file://…')` in Node with plain @tensorflow/tfjs:
 * AlphaOpt registers a file handler when imported (tfjs-node's layout: model.json + weights.bin).
 */
import test from 'ava';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LearnedLrSchedule, LearnedTfjsOptimizer, rules, setupBackend, toTfjsOptimizer } from '../src/index.js';

test.before(async () => {
  await setupBackend('cpu');
});

function model(): tf.Sequential {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) })] });
}

test('a model with a learned optimizer saves to file:// and loads back from it, continuing identically', async (t) => {
  const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'alphaopt-file-')), 'saved');
  const x = tf.tensor2d([[1, 0, 2], [0.5, -1, 0], [0, 1, 1], [-1, 2, 0.5]]);
  const y = tf.tensor2d([[1], [0], [2], [-1]]);
  const lo = new LearnedLrSchedule({ horizon: 10, initialLearningRate: 0.05 });
  const original = model();
  original.compile({ optimizer: toTfjsOptimizer(lo, 'online'), loss: 'meanSquaredError' });
  await original.fit(x, y, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });

  await original.save(`file://${dir}`, { includeOptimizer: true });
  t.deepEqual((await readdir(dir)).sort(), ['model.json', 'weights.bin']);
  const reloaded = await tf.loadLayersModel(`file://${path.join(dir, 'model.json')}`);
  t.true(reloaded.optimizer instanceof LearnedTfjsOptimizer);

  await original.fit(x, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
  await reloaded.fit(x, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
  t.deepEqual(reloaded.getWeights().map((w) => Array.from(w.dataSync())), original.getWeights().map((w) => Array.from(w.dataSync())));
  original.optimizer.dispose();
  reloaded.optimizer.dispose();
  original.dispose();
  reloaded.dispose();
  lo.dispose();
  tf.dispose([x, y]);
});

test('a directory given to loadLayersModel reads its model.json; missing and damaged files are named', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-file-'));
  const m = model();
  m.compile({ optimizer: toTfjsOptimizer(rules.adam({ learningRate: 0.01 })), loss: 'meanSquaredError' });
  await m.save(`file://${dir}`);
  const loaded = await tf.loadLayersModel(`file://${dir}`);
  t.deepEqual(loaded.getWeights().map((w) => Array.from(w.dataSync())), m.getWeights().map((w) => Array.from(w.dataSync())));

  await t.throwsAsync(tf.loadLayersModel(`file://${path.join(dir, 'nothing', 'model.json')}`), { message: /cannot read .*nothing\/model\.json/ });
  const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
  json.weightsManifest[0].paths = ['./gone.bin'];
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
  await t.throwsAsync(tf.loadLayersModel(`file://${dir}`), { message: /cannot read .*gone\.bin \(named by .*model\.json\)/ });
  m.dispose();
  loaded.dispose();
});
