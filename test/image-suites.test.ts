/**
 * The shipped image suites whose datasets this machine lacks (CIFAR-10, Omniglot)
 * and the MNIST CNN suite run end to end on SYNTHETIC stand-ins in the exact
 * standard formats, shrunk (2 seeds, 2 steps, one learning rate, small nets) so the
 * test stays quick. This checks the plumbing, never the numbers.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setupBackend } from '../src/backend/setup.js';
import { decodeSuite } from '../src/suite/decode.js';
import { RunRecord } from '../src/suite/record.js';
import { runSuite } from '../src/suite/runner.js';
import { writeSyntheticCifar10, writeSyntheticMnistPool, writeSyntheticOmniglot } from './helpers/synthetic.js';

type Json = Record<string, unknown> & { tasks: Array<Record<string, unknown> & { options?: Record<string, unknown> }>; optimizers: Array<Record<string, unknown>> };

let root = '';

test.before(async () => {
  await setupBackend('cpu');
  root = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-synthetic-data-'));
  await writeSyntheticCifar10(root);
  await writeSyntheticMnistPool(root, 'mnist-10k');
  await writeSyntheticOmniglot(root, { background: 3, evaluation: 10 });
});

/** The shipped suite, shrunk: 2 seeds, 2 steps, the first learning rate of each grid; `edit` shrinks it further. */
async function shrunk(name: string, edit: (s: Json, scratch: string) => void): Promise<{ suite: ReturnType<typeof decodeSuite>; out: string }> {
  const file = path.resolve('suites', `${name}.json`);
  const raw = JSON.parse(await readFile(file, 'utf8')) as Json;
  const scratch = await mkdtemp(path.join(os.tmpdir(), `alphaopt-${name}-`));
  raw['seeds'] = 2;
  raw['steps'] = 2;
  raw['evaluateEvery'] = raw['evaluateEvery'] === undefined ? undefined : 1;
  if (raw['evaluateEvery'] === undefined) delete raw['evaluateEvery'];
  for (const o of raw.optimizers) {
    const grid = o['grid'] as Record<string, number[]> | undefined;
    if (grid !== undefined) for (const key of Object.keys(grid)) grid[key] = grid[key]!.slice(0, 1);
  }
  edit(raw, scratch);
  // A shrunk suite may have dropped its reference optimizer; it then compares with none.
  if (raw['reference'] !== undefined && !raw.optimizers.some((o) => o['name'] === raw['reference'])) delete raw['reference'];
  return { suite: decodeSuite(raw, file), out: scratch };
}

async function runWithSyntheticData(suite: ReturnType<typeof decodeSuite>, out: string): Promise<RunRecord[]> {
  const previous = process.env['ALPHAOPT_DATA'];
  process.env['ALPHAOPT_DATA'] = root;
  try {
    await runSuite(suite, { out, backend: 'wasm', log: () => undefined });
  } finally {
    if (previous === undefined) delete process.env['ALPHAOPT_DATA'];
    else process.env['ALPHAOPT_DATA'] = previous;
  }
  return (await readFile(path.join(out, 'runs.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as RunRecord);
}

test.serial('suites/cifar10.json runs end to end on a synthetic CIFAR-10 stand-in', async (t) => {
  const { suite, out } = await shrunk('cifar10', (s) => {
    s.tasks.forEach((task) => (task.options = { ...task.options, batchSize: 4 }));
    // The learned optimizers' per-coordinate networks on 1.6M parameters are too slow for a unit test on cpu.
    s.optimizers = s.optimizers.filter((o) => o['rule'] !== undefined).slice(0, 2);
  });
  const records = await runWithSyntheticData(suite, out);
  t.deepEqual([...new Set(records.map((r) => r.task))].sort(), ['cifar10-resnet8', 'cifar10-xu-cnn']);
  t.is(records.length, 2 * 2 * 2);
  t.true(records.every((r) => RunRecord.is(r) && r.metrics!['testAccuracy']! >= 0 && r.metrics!['testAccuracy']! <= 1 && r.metrics!['reachedTargetAccuracy'] !== undefined));
});

test.serial('suites/mnist-cnn.json runs end to end on a synthetic MNIST pool', async (t) => {
  const { suite, out } = await shrunk('mnist-cnn', (s) => {
    s.tasks = s.tasks.slice(0, 1);
    s.optimizers = s.optimizers.slice(0, 2);
  });
  const records = await runWithSyntheticData(suite, out);
  t.is(records.length, 2 * 2);
  t.true(records.every((r) => r.task === 'mnist-zhu-cnn' && Number.isFinite(r.finalLoss) && r.metrics!['testAccuracy'] !== undefined));
});

/** Tiny meta-training configs per learned kind, for the shrunk suites. */
const TINY_META_TRAINING: Record<string, { config: Record<string, unknown>; hyperParams?: Record<string, unknown> }> = {
  lstm: { config: { iterations: 1, unroll: 2, horizon: 2, tasksPerIteration: 2, validateEvery: 1, validationTasks: 2 } },
  'lr-schedule': { config: { iterations: 1, unroll: 2, horizon: 2, tasksPerIteration: 2, validateEvery: 1, validationTasks: 2 } },
  'coordinate-policy': { config: { iterations: 1, tasksPerIteration: 2, horizon: 2, validateEvery: 1, validationTasks: 2 } },
  'actor-critic': { config: { episodes: 1, horizon: 2, tasksPerEpisode: 2, validateEvery: 1, validationTasks: 2 }, hyperParams: { unroll: 2 } },
  'dqn-controller': { config: { episodes: 1, parallelEpisodes: 2, validateEvery: 1, validationTasks: 2, learningStarts: 2, batchSize: 2 }, hyperParams: { horizon: 3 } },
};

test.serial('suites/omniglot.json runs end to end on a synthetic Omniglot stand-in: every learned optimizer meta-trains on background episodes', async (t) => {
  const kinds: string[] = [];
  const { suite, out } = await shrunk('omniglot', (s, scratch) => {
    s.tasks.forEach((task) => (task.options = { ...task.options, filters: 4 }));
    for (const task of s.tasks) {
      const maml = task.options!['maml'] as { checkpoint: string; config: Record<string, unknown> } | undefined;
      // MAML initialisations train into the scratch folder too, briefly.
      if (maml !== undefined) task.options!['maml'] = { checkpoint: path.join(scratch, 'checkpoints', path.basename(maml.checkpoint)), config: { ...maml.config, iterations: 1, metaBatch: 2, innerSteps: 1, validateEvery: 1, validationEpisodes: 2 } };
    }
    for (const o of s.optimizers) {
      const learned = o['learned'] as { kind: string; checkpoint?: string; hyperParams?: Record<string, unknown>; metaTrain?: { task: { options: Record<string, unknown> }; config: Record<string, unknown> } } | undefined;
      if (learned?.metaTrain === undefined) continue;
      kinds.push(learned.kind);
      // Never write into the package's pretrained/: train into the scratch folder, briefly.
      learned.checkpoint = path.join(scratch, 'checkpoints', path.basename(learned.checkpoint ?? 'x'));
      learned.metaTrain.task.options = { ...learned.metaTrain.task.options, filters: 4 };
      const tiny = TINY_META_TRAINING[learned.kind]!;
      Object.assign(learned.metaTrain.config, tiny.config);
      learned.hyperParams = { ...learned.hyperParams, ...tiny.hyperParams };
    }
  });
  t.deepEqual(kinds.sort(), ['actor-critic', 'coordinate-policy', 'dqn-controller', 'lr-schedule', 'lstm'], 'every learned kind is in the few-shot suite');
  const records = await runWithSyntheticData(suite, out);
  const settings = ['omniglot-20way-1shot', 'omniglot-5way-1shot', 'omniglot-5way-5shot'];
  const maml2 = ['omniglot-5way-1shot-maml2-init', 'omniglot-5way-5shot-maml2-init'];
  t.deepEqual([...new Set(records.map((r) => r.task))].sort(), [...settings, ...settings.map((id) => `${id}-maml-init`), ...maml2].sort());
  // Every optimizer (the learned ones frozen) runs from the standard, the first-order and the second-order MAML initialisations.
  t.is(records.length, 8 * 7 * 2);
  for (const id of [...settings.map((s) => `${s}-maml-init`), ...maml2]) t.is(records.filter((r) => r.task === id).length, 7 * 2, id);
  t.true(records.every((r) => r.metrics!['testAccuracy']! >= 0 && r.metrics!['testAccuracy']! <= 1 && r.seed < 1_000_000));
  for (const setting of ['5way-1shot', '5way-5shot', '20way-1shot']) t.true(existsSync(path.join(out, 'checkpoints', `maml-omniglot-${setting}`, 'init.json')), `the ${setting} MAML initialisation was meta-trained`);
  for (const setting of ['5way-1shot', '5way-5shot']) {
    const saved = JSON.parse(await readFile(path.join(out, 'checkpoints', `maml2-omniglot-${setting}`, 'init.json'), 'utf8')) as { config?: { firstOrder?: boolean } };
    t.is(saved.config?.firstOrder, false, `the ${setting} second-order MAML initialisation was meta-trained second order`);
  }
  for (const name of ['lstm', 'lr-schedule', 'policy', 'actor-critic', 'dqn']) {
    t.true(existsSync(path.join(out, 'checkpoints', `${name}-omniglot`, 'manifest.json')), `${name}: its meta-trained checkpoint was saved`);
  }
});

test.serial('an image task differentiates a group of one row (tfjs cannot take the gradient of a one-way unstack)', async (t) => {
  const { imageClassifierTask } = await import('../src/tasks/index.js');
  const { lossAndGrad } = await import('../src/loop/lossAndGrad.js');
  const tf = await import('@tensorflow/tfjs');
  const task = imageClassifierTask({ dataset: 'mnist-10k', net: 'zhu-mnist', batchSize: 4, dataDir: root });
  await task.prepare!();
  const [one, two] = [task.instantiate([3]), task.instantiate([3, 4])];
  const a = lossAndGrad(task, one, one.start, 0);
  const b = lossAndGrad(task, two, two.start, 0);
  const [ga, gb] = [await a.grad.data(), await b.grad.data()];
  t.is(ga.length, task.dimension);
  t.true(ga.every((v, i) => Math.abs(v - gb[i]!) < 1e-5), 'the lone row has the gradient it has when batched');
  tf.dispose([a.rows, a.grad, b.rows, b.grad]);
  one.dispose();
  two.dispose();
});

/** Points a shrunk suite's learned optimizers at scratch checkpoints (never the package's pretrained/) with tiny meta-training. */
function tinyLearned(s: Json, scratch: string, config: Record<string, unknown>, hyperParams: Record<string, unknown> = {}): void {
  for (const o of s.optimizers) {
    const learned = o['learned'] as { checkpoint?: string; hyperParams?: Record<string, unknown>; metaTrain?: { task: { options: Record<string, unknown> }; config: Record<string, unknown> } } | undefined;
    if (learned === undefined) continue;
    learned.hyperParams = { ...learned.hyperParams, ...hyperParams };
    if (learned.metaTrain === undefined) continue;
    learned.checkpoint = path.join(scratch, 'checkpoints', path.basename(learned.checkpoint ?? 'x'));
    learned.metaTrain.task.options = { ...learned.metaTrain.task.options, batchSize: 4 };
    learned.metaTrain.config = { ...learned.metaTrain.config, ...config };
  }
}

test.serial('suites/dqn-mnist.json meta-trains both DQN protocols and runs them, recording the chosen learning rates', async (t) => {
  const { suite, out } = await shrunk('dqn-mnist', (s, scratch) => {
    s.tasks.forEach((task) => (task.options = { ...task.options, batchSize: 4 }));
    s.optimizers = s.optimizers.filter((o) => o['name'] === 'sgd' || o['learned'] !== undefined);
    tinyLearned(s, scratch, { episodes: 1, parallelEpisodes: 2, validateEvery: 1, validationTasks: 2, learningStarts: 2, batchSize: 2 }, { horizon: 3 });
  });
  const records = await runWithSyntheticData(suite, out);
  t.deepEqual([...new Set(records.map((r) => r.optimizer))].sort(), ['dqn (fixed start)', 'dqn (random start)', 'sgd']);
  const controlled = records.filter((r) => r.optimizer.startsWith('dqn'));
  t.true(controlled.every((r) => r.traces!['learningRate']!.length === 2 && r.traces!['learningRate']!.every((lr) => lr! >= 0.001 && lr! <= 0.5)));
  t.true(existsSync(path.join(out, 'plots', 'learningRate-mnist-zhu-cnn.svg')), 'the report drew the learning-rate trajectories');
});

test.serial('suites/actor-critic-mnist.json and actor-critic-cnn.json run the controller online, frozen after meta-training, and the same-batch ablation', async (t) => {
  const { suite, out } = await shrunk('actor-critic-mnist', (s, scratch) => {
    s.tasks = s.tasks.slice(0, 2);
    s.tasks.forEach((task) => (task.options = { ...task.options, batchSize: 4 }));
    s.optimizers = s.optimizers.filter((o) => o['name'] === 'adam' || o['learned'] !== undefined);
    tinyLearned(s, scratch, { episodes: 1, horizon: 2, tasksPerEpisode: 2, validateEvery: 1, validationTasks: 2 }, { unroll: 2 });
  });
  const records = await runWithSyntheticData(suite, out);
  t.is(records.length, 2 * 4 * 2);
  const online = records.filter((r) => r.hparams['mode'] === 'online');
  t.is(online.length, 2 * 2 * 2);
  t.true(records.filter((r) => r.optimizer !== 'adam').every((r) => r.traces!['learningRate']!.every((lr) => lr! > 0)));
  const cnn = await shrunk('actor-critic-cnn', (s) => {
    s.tasks.forEach((task) => (task.options = { ...task.options, batchSize: 2 }));
    s.optimizers = s.optimizers.filter((o) => o['learned'] !== undefined).slice(0, 1);
    s['seeds'] = 1;
  });
  const cnnRecords = await runWithSyntheticData(cnn.suite, cnn.out);
  t.is(cnnRecords.length, 1);
  t.true(Number.isFinite(cnnRecords[0]!.finalLoss));
});
