/**
 * Behaviour pins: numbers the code produces today that refactoring must not move.
 *  - `npm start`'s suite (suites/2d.json, all runs), its learned schedule loaded from the
 *    checkpoint `npm start` reuses (results/2d/checkpoints/…): one SHA-256 per task · optimizer
 *    over its sorted run keys and finalLoss values, and one over every run's whole loss curve;
 *  - shipped checkpoints (pretrained/) stepping a fixed task, frozen and online: their loss curves;
 *  - a few iterations of every rule meta-trainer on a noise-free task: curves, validation, φ's hash.
 * test/fixtures/pins.json holds what this computed at the commit it names; test/behaviour-pins.test.ts
 * computes it again and compares exactly. Regenerate (only for an intended change, and say why):
 *   npx tsx test/helpers/pin.ts > test/fixtures/pins.json
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.js';
import { createLearnedOptimizer, loadLearnedOptimizer, type JsonValue, type LearnedOptimizer } from '../../src/learned/index.js';
import { decodeSuite } from '../../src/suite/decode.js';
import { runGroup } from '../../src/suite/execute.js';
import { learnedRule } from '../../src/suite/groupRule.js';
import { runKey, type RunRecord } from '../../src/suite/record.js';
import { runSuite } from '../../src/suite/runner.js';
import { familyOf, taskFromSpec } from '../../src/tasks/index.js';
import { metaTrain } from '../../src/meta/metaTrain.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export interface Pins {
  suite: { runs: number; finalLoss: Record<string, string>; losses: string };
  trajectories: Record<string, Array<Array<number | null>>>;
  metaTraining: Record<string, { curve: number[]; validation: number[]; bestIteration: number; metaParams: string }>;
}

/**
 * The 2-D suite as `npm start` ran it when the pins were made (backend wasm; grid points chosen on the scored seeds,
 * the protocol of 4ba065f: the file's held-out `tuning` is left out), with the learned schedule from its reused checkpoint.
 */
export async function suitePins(): Promise<Pins['suite']> {
  const file = path.join(root, 'suites/2d.json');
  const { tuning: _heldOut, ...raw } = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const suite = decodeSuite(raw, file);
  suite.optimizers = suite.optimizers.map((o) => (o.type === 'learned' ? { ...o, checkpoint: path.join(root, 'results/2d/checkpoints/lr-schedule-learned') } : o));
  const out = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-pin-'));
  try {
    await runSuite(suite, { out });
    const text = await readFile(path.join(out, 'runs.jsonl'), 'utf8');
    const records = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as RunRecord);
    const byPair = new Map<string, string[]>();
    for (const r of records) {
      const pair = `${r.task} · ${r.optimizer}`;
      byPair.set(pair, [...(byPair.get(pair) ?? []), `${runKey(r)} ${JSON.stringify(r.finalLoss)}`]);
    }
    const finalLoss = Object.fromEntries([...byPair.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([pair, lines]) => [pair, sha(lines.sort().join('\n'))]));
    const losses = sha(records.map((r) => `${runKey(r)} ${JSON.stringify(r.losses)}`).sort().join('\n'));
    return { runs: records.length, finalLoss, losses };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

const quadratic = () => taskFromSpec({ task: 'logisticRegression', options: { dimension: 6, points: 40 } }, '$');

async function curve(learned: LearnedOptimizer, mode: 'frozen' | 'online', steps: number): Promise<Array<Array<number | null>>> {
  const records = await runGroup({
    task: quadratic(),
    optimizer: 'pin',
    rows: [0, 1, 2].map((seed) => ({ seed, hparams: {} })),
    steps,
    backend: tf.getBackend(),
    buildRule: () => learnedRule(learned, mode),
  });
  return records.map((r) => r.losses);
}

/** Shipped checkpoints stepping 3 seeds of a 6-D random quadratic. */
export async function trajectoryPins(): Promise<Pins['trajectories']> {
  const out: Pins['trajectories'] = {};
  const cases: Array<[string, 'frozen' | 'online']> = [
    ['lstm-quadratic', 'frozen'],
    ['policy-logistic', 'frozen'],
    ['dqn-zhu-mnist-fixed', 'frozen'],
    ['actor-critic-mnist-m1', 'frozen'],
    ['actor-critic-mnist-m1', 'online'],
  ];
  for (const [name, mode] of cases) {
    const learned = await loadLearnedOptimizer(path.join(root, 'pretrained', name));
    try {
      out[`${name} ${mode}`] = await curve(learned, mode, 40);
    } finally {
      learned.dispose();
    }
  }
  return out;
}

const weightsHash = async (learned: LearnedOptimizer) => {
  const parts: string[] = [];
  for (const [name, v] of [...learned.metaParams.entries()].sort(([a], [b]) => a.localeCompare(b))) parts.push(`${name} ${Array.from(await v.data()).join(',')}`);
  return sha(parts.join('\n'));
};

/** A few iterations of each meta-trainer on a noise-free 6-D random quadratic. */
export async function metaTrainingPins(): Promise<Pins['metaTraining']> {
  const cases: Array<[string, string, Record<string, JsonValue>, Record<string, JsonValue>]> = [
    ['lr-schedule bptt', 'lr-schedule', { horizon: 20 }, { iterations: 4, unroll: 5, tasksPerIteration: 3, validateEvery: 2, validationTasks: 2 }],
    ['lstm bptt', 'lstm', { hidden: 4, layers: 1 }, { iterations: 3, unroll: 4, horizon: 8, tasksPerIteration: 2, validateEvery: 2, validationTasks: 2 }],
    ['lstm es', 'lstm', { hidden: 4, layers: 1 }, { method: 'es', iterations: 3, unroll: 4, horizon: 8, tasksPerIteration: 2, pairs: 2, validateEvery: 2, validationTasks: 2 }],
    ['coordinate-policy ppo', 'coordinate-policy', { history: 5, hidden: [8], valueHidden: 8 }, { iterations: 2, tasksPerIteration: 2, horizon: 10, epochs: 2, validateEvery: 1, validationTasks: 2 }],
    ['dqn-controller dqn', 'dqn-controller', { hidden: [8], window: 5, horizon: 12 }, { episodes: 3, batchSize: 4, learningStarts: 4, validateEvery: 2, validationTasks: 2 }],
    ['actor-critic actor-critic', 'actor-critic', { units: 4, criticHidden: 4, unroll: 4 }, { episodes: 2, horizon: 10, tasksPerEpisode: 2, validateEvery: 1, validationTasks: 2 }],
  ];
  const out: Pins['metaTraining'] = {};
  for (const [name, kind, options, config] of cases) {
    const learned = createLearnedOptimizer(kind, options);
    try {
      const report = await metaTrain(learned, familyOf(quadratic()), config);
      out[name] = { curve: report.curve.map((p) => p.metaLoss), validation: report.validation.map((v) => v.loss), bestIteration: report.bestIteration, metaParams: await weightsHash(learned) };
    } finally {
      learned.dispose();
    }
  }
  return out;
}

export async function computePins(): Promise<Pins> {
  const suite = await suitePins();
  await setupBackend('wasm');
  return { suite, trajectories: await trajectoryPins(), metaTraining: await metaTrainingPins() };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const commit = process.env['PIN_COMMIT'] ?? 'unknown';
  const pins = await computePins();
  process.stdout.write(`${JSON.stringify({ generatedAt: commit, command: 'npx tsx test/helpers/pin.ts > test/fixtures/pins.json', ...pins })}\n`);
}
