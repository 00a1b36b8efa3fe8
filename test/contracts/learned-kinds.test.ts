/**
 * The contract every registered learned-optimizer kind keeps, run over the registry (like optax's common optimizer
 * tests): a kind added with one file and one registry line is checked here with no test file of its own.
 * - checkpoint round trip: φ moved away from its initialisation, saved, loaded → the same φ and the same run;
 *   loading it as another kind is refused naming both;
 * - batched rows equal separate runs (each row's run does not depend on the rows beside it);
 * - tensor-only rules (no synchronous read, which WebGPU refuses) that leak no tensor over N steps of the frozen rule (and of the online rule, where the kind has one): the count
 *   does not grow once a first run has made what lives as long as the optimizer;
 * - tfjs interop: `toTfjsOptimizer` trains a model with `model.fit`, frozen leaves φ as it was; a kind without an
 *   online rule refuses the online mode;
 * - refusal: unknown options and bad values are refused, every one at once, each at its path;
 * - deployment options (what a suite's grid on a learned entry tunes): numeric options whose other values keep φ —
 *   a copy at another value has the same meta-parameters, shapes and values, and runs.
 * Serial: the leak checks read the global tensor count.
 */
import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.js';
import { OptionsError, StrictType } from '../../src/codec/index.js';
import { decodeOrThrow } from '../../src/codec/decode.js';
import { createLearnedOptimizer, learnedKind, learnedKinds, loadLearnedOptimizer, saveCheckpoint, type LearnedOptimizer } from '../../src/learned/index.js';
import { toTfjsOptimizer } from '../../src/learned/tfjsOptimizer.js';
import { cloneLearned } from '../../src/learned/clone.js';
import type { UpdateRule } from '../../src/rules/index.js';
import { runRule } from '../helpers/runRule.js';
import { logisticRegressionTask } from '../../src/tasks/index.js';

test.before(async () => {
  await setupBackend('cpu');
});

const task = logisticRegressionTask({ dimension: 4, points: 32 });
const SEEDS = [3_000_000, 3_000_001, 3_000_002];
const STEPS = 20;

/** Runs `rule` over `seeds` as the rows of one group: each row's losses. */
async function losses(rule: UpdateRule, seeds: number[], steps = STEPS): Promise<number[][]> {
  const records = await runRule(rule, task, seeds, steps);
  return records.map((r) => r.losses.map((l) => l ?? NaN));
}

/**
 * The rule with synchronous reads forbidden while it runs: WebGPU refuses them in Node, so a rule must stay in
 * tensors (loops read with `await data()` between steps).
 */
function tensorOnly(rule: UpdateRule): UpdateRule {
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const guarded = <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A): R => {
    const saved = { dataSync: proto['dataSync'], arraySync: proto['arraySync'], bufferSync: proto['bufferSync'] };
    for (const name of Object.keys(saved)) proto[name] = () => { throw new Error(`${name} called inside the rule`); };
    try {
      return fn(...args);
    } finally {
      Object.assign(proto, saved);
    }
  };
  return { init: guarded(rule.init), update: guarded(rule.update) };
}

const values = async (optimizer: LearnedOptimizer) => Promise.all([...optimizer.metaParams.values()].map(async (v) => Array.from(await v.data())));

/** Moves every meta-parameter by seeded noise, so a checkpoint that loaded the initialisation instead would show. */
function perturb(optimizer: LearnedOptimizer): void {
  let seed = 1;
  for (const v of optimizer.metaParams.values()) v.assign(tf.tidy(() => tf.add(v, tf.randomNormal(v.shape, 0, 0.01, 'float32', seed++))));
}

const kinds = learnedKinds();

test('the registry holds the shipped kinds, each with a strict options codec', (t) => {
  for (const kind of ['lr-schedule', 'lstm', 'coordinate-policy', 'dqn-controller', 'actor-critic']) t.true(kinds.includes(kind), kind);
  for (const kind of kinds) t.true(learnedKind(kind).options instanceof StrictType, `${kind}: options declared as a strict codec (codec/strict.ts)`);
});

for (const kind of kinds) {
  test.serial(`${kind}: a checkpoint round trip gives the same φ and the same run; another kind is refused`, async (t) => {
    const optimizer = createLearnedOptimizer(kind);
    perturb(optimizer);
    const dir = await mkdtemp(path.join(os.tmpdir(), `alphaopt-contract-${kind}-`));
    await saveCheckpoint(optimizer, dir);
    const loaded = await loadLearnedOptimizer(dir, kind);
    t.is(loaded.kind, kind);
    t.deepEqual(loaded.hyperParams, optimizer.hyperParams);
    t.deepEqual([...loaded.metaParams.keys()], [...optimizer.metaParams.keys()]);
    t.deepEqual(await values(loaded), await values(optimizer));
    t.deepEqual(await losses(loaded.rule(), SEEDS), await losses(optimizer.rule(), SEEDS));
    const other = kinds.find((k) => k !== kind)!;
    const refused = await t.throwsAsync(loadLearnedOptimizer(dir, other));
    t.true(refused!.message.includes(kind) && refused!.message.includes(other), refused!.message);
    loaded.dispose();
    optimizer.dispose();
  });

  test.serial(`${kind}: rows batched together run as each row alone`, async (t) => {
    const optimizer = createLearnedOptimizer(kind);
    const rule = optimizer.rule();
    const together = await losses(rule, SEEDS);
    for (const [i, seed] of SEEDS.entries()) {
      const [alone] = await losses(rule, [seed]);
      together[i]!.forEach((loss, step) => t.true(Math.abs(loss - alone![step]!) <= 1e-4 * Math.max(1, Math.abs(loss)), `row ${i}, step ${step}: ${loss} batched, ${alone![step]} alone`));
    }
    optimizer.dispose();
  });

  test.serial(`${kind}: ${STEPS * 2} steps of the frozen (and online) rule leak no tensor and read nothing synchronously`, async (t) => {
    const optimizer = createLearnedOptimizer(kind);
    const rules = [optimizer.rule(), ...(optimizer.onlineRule === undefined ? [] : [optimizer.onlineRule()])].map(tensorOnly);
    for (const rule of rules) {
      // A first run makes what lives as long as the optimizer (an online learner's Adam slots, after its first unroll).
      await losses(rule, SEEDS, STEPS + 5);
      const before = tf.memory().numTensors;
      await losses(rule, SEEDS, STEPS * 2);
      t.is(tf.memory().numTensors, before);
    }
    optimizer.dispose();
  });

  test.serial(`${kind}: toTfjsOptimizer trains a model with model.fit; frozen leaves φ as it was`, async (t) => {
    const optimizer = createLearnedOptimizer(kind);
    const modes = optimizer.onlineRule === undefined ? (['frozen'] as const) : (['frozen', 'online'] as const);
    if (optimizer.onlineRule === undefined) t.throws(() => toTfjsOptimizer(optimizer, 'online'), { message: /no online mode/ });
    const xs = tf.tensor2d([[0, 1], [1, 0], [1, 1], [2, 1]]);
    const ys = tf.tensor2d([[1], [2], [3], [5]]);
    for (const mode of modes) {
      const phi = await values(optimizer);
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'zeros' })] });
      const initial = Array.from(await model.getWeights()[0]!.data());
      model.compile({ optimizer: toTfjsOptimizer(optimizer, mode), loss: 'meanSquaredError' });
      const history = await model.fit(xs, ys, { epochs: 3, verbose: 0 });
      t.true((history.history['loss'] as number[]).every(Number.isFinite), `${mode}: finite losses`);
      const trained = Array.from(await model.getWeights()[0]!.data());
      t.notDeepEqual(trained, initial, `${mode}: the model's weights moved`);
      if (mode === 'frozen') t.deepEqual(await values(optimizer), phi, 'frozen: φ unchanged');
      model.optimizer.dispose();
      model.dispose();
    }
    tf.dispose([xs, ys]);
    optimizer.dispose();
  });

  test.serial(`${kind}: deployment options are numbers whose other values keep φ as it is`, async (t) => {
    const optimizer = createLearnedOptimizer(kind);
    perturb(optimizer);
    const phi = await values(optimizer);
    const modes = optimizer.onlineRule === undefined ? (['frozen'] as const) : (['frozen', 'online'] as const);
    const tunable = new Set(modes.flatMap((mode) => learnedKind(kind).deployment?.(decodeOrThrow(learnedKind(kind).options, {}, kind) as never, mode) ?? []));
    for (const key of tunable) {
      const value = optimizer.hyperParams[key];
      t.is(typeof value, 'number', `${key} is a number option`);
      // Another value the codec accepts (a step up, or else down: DQN's η₀ must stay in [lrMin, lrMax]).
      let copy: LearnedOptimizer;
      try {
        copy = cloneLearned(optimizer, { [key]: (value as number) * 1.5 });
      } catch {
        copy = cloneLearned(optimizer, { [key]: (value as number) * 0.9 });
      }
      t.not(copy.hyperParams[key], value);
      t.deepEqual([...copy.metaParams].map(([name, v]) => [name, v.shape]), [...optimizer.metaParams].map(([name, v]) => [name, v.shape]), key);
      t.deepEqual(await values(copy), phi, `${key}: φ copied as it is`);
      t.true((await losses(copy.rule(), SEEDS.slice(0, 1), 5))[0]!.every(Number.isFinite), `${key}: the copy runs`);
      copy.dispose();
    }
    optimizer.dispose();
  });

  test(`${kind}: unknown options and bad values are refused, all at once, each at its path`, (t) => {
    const keys = (learnedKind(kind).options as StrictType<unknown>).keys;
    const bad = { ...Object.fromEntries(keys.map((key) => [key, { not: 'a value' }])), bogusOption: 1 };
    const error = t.throws(() => createLearnedOptimizer(kind, bad as never, '$.optimizers[0].learned.hyperParams'), { instanceOf: OptionsError });
    t.true(error!.problems.includes(`$.optimizers[0].learned.hyperParams.bogusOption: unknown option; expected one of ${keys.join(', ')}`), error!.problems.join('\n'));
    for (const key of keys) t.true(error!.problems.some((p) => p.startsWith(`$.optimizers[0].learned.hyperParams.${key}: expected `)), `${key}: ${error!.problems.join('\n')}`);
    // Without a path, the kind's name stands for it.
    t.throws(() => createLearnedOptimizer(kind, { bogusOption: 1 } as never), { message: new RegExp(`^${kind}\\.bogusOption: unknown option`) });
  });
}
