/**
 * Run groups sized to memory: the one-row probe, the split under a budget, and the
 * retry in halves when a group runs out of memory anyway — with the records of
 * runs made one at a time, each exactly once.
 */
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { memoryBudget } from '../src/backend/memory.js';
import { WasmHeapExhausted } from '../src/backend/wasm/heap.js';
import { ruleFromSpec } from '../src/rules/index.js';
import { decodeSuite } from '../src/suite/decode.js';
import { runResult, runKey, type RunRecord } from '../src/suite/record.js';
import { runSuite } from '../src/suite/runner.js';
import { estimateGroupBytes, probeRowFootprint, rowsThatFit, SAFETY_FRACTION } from '../src/suite/sizing.js';
import { syntheticConvTask } from './helpers/syntheticConv.js';

test.before(async () => {
  await setupBackend('cpu');
});

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'alphaopt-memory-'));

async function records(dir: string): Promise<RunRecord[]> {
  const text = await readFile(path.join(dir, 'runs.jsonl'), 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as RunRecord);
}

/** What a run computed, without how long it took or how it was grouped. */
const outcome = runResult;
const byKey = (runs: RunRecord[]) => new Map(runs.map((r) => [runKey(r), outcome(r)]));

/** 2 SGD learning rates × 3 seeds and 3 Adam seeds on one task (replaced by the synthetic conv task). */
function convSuite(task: ReturnType<typeof syntheticConvTask>) {
  const suite = decodeSuite(
    {
      name: 'conv',
      backend: 'cpu',
      steps: 2,
      seeds: 3,
      tasks: [{ task: 'rosenbrock', id: 'placeholder' }],
      optimizers: [
        { name: 'sgd', rule: 'sgd', grid: { learningRate: [0.01, 0.1] } },
        { name: 'adam', rule: 'adam' },
      ],
    },
    'conv.json',
  );
  suite.tasks[0] = task;
  return suite;
}

const sgdRule = () => ({ rule: ruleFromSpec({ rule: 'sgd', options: { learningRate: 0.1 } }, 'sgd'), dispose: () => undefined });

test.serial('the probe measures a row; a group of r rows is estimated at r rows plus one evaluation, and rowsThatFit stays under the safety fraction', async (t) => {
  const task = syntheticConvTask({ batch: 32 });
  const before = tf.memory().numTensors;
  const footprint = await probeRowFootprint(task, sgdRule, { seed: 0, hparams: {} });
  t.is(tf.memory().numTensors, before, 'the probe frees what it made');
  // At least the 32 images and the conv layer's output (32 × 12 × 12 × 6 floats) kept for the gradient.
  t.true(footprint.stepBytes > 4 * 32 * 12 * 12 * 7, `step bytes ${footprint.stepBytes}`);
  t.true(footprint.evaluationBytes > 0 && footprint.largestTensorBytes >= 4 * 32 * 12 * 12 * 6);
  t.is(footprint.stepMs, undefined, 'no step timed unless asked (only a worker pool weighs its units by it)');
  const timed = await probeRowFootprint(task, sgdRule, { seed: 0, hparams: {} }, 1000, true);
  t.true(timed.stepMs !== undefined && timed.stepMs > 0, `a timed probe reads a step time (${timed.stepMs} ms)`);
  t.is(tf.memory().numTensors, before, 'the timed probe frees what it made, its extra steps included');
  // The probe's per-row cost is what a real group of 4 rows holds at its peak, within 10%.
  const problem = task.instantiate([0, 1, 2, 3]);
  const theta = tf.clone(problem.start);
  const info = await tf.profile(() => {
    const g = tf.grad((x: tf.Tensor) => tf.sum(problem.loss(x as tf.Tensor2D, 0)))(theta);
    g.dispose();
  });
  tf.dispose([theta]);
  problem.dispose();
  const ratio = info.peakBytes / (4 * footprint.stepBytes);
  t.true(ratio > 0.9 && ratio < 1.1, `measured/estimated ${ratio}`);

  const budget = { bytes: estimateGroupBytes(footprint, 5) / SAFETY_FRACTION, source: 'test' };
  t.deepEqual(rowsThatFit(footprint, budget, { most: 100 }).rows, 5);
  t.is(rowsThatFit(footprint, budget, { most: 3 }).rows, 3);
  const tiny = rowsThatFit(footprint, { bytes: 1, source: 'test' }, { most: 100 });
  t.deepEqual([tiny.rows, tiny.fits], [1, false]);
  t.is(rowsThatFit(footprint, { bytes: Infinity, bufferBytes: 3.5 * footprint.largestTensorBytes / SAFETY_FRACTION, source: 'test' }, { most: 100 }).rows, 3);
  t.is(memoryBudget('wasm').bytes, 4 * 2 ** 30);
  t.is(memoryBudget('wasm', 2 ** 20).bytes, 2 ** 20);
});

test.serial('a conv task whose all-rows group exceeds a small memory limit runs in smaller groups, with the records of runs made one at a time', async (t) => {
  const task = syntheticConvTask();
  const footprint = await probeRowFootprint(task, sgdRule, { seed: 0, hparams: {} });
  // Room for 2 rows (and a half) under the safety fraction: the 6 SGD rows and 3 Adam rows must be split.
  const limit = (estimateGroupBytes(footprint, 2.5) + tf.memory().numBytes) / SAFETY_FRACTION;
  const lines: string[] = [];
  const out = await tempDir();
  await runSuite(convSuite(task), { out, memoryLimit: limit, log: (l) => lines.push(l) });
  const grouped = await records(out);
  t.is(grouped.length, 9);
  t.true(grouped.every((r) => r.memory !== undefined && r.memory.groupRows <= 2 && r.memory.maxRssBytes > 0), JSON.stringify(grouped.map((r) => r.memory)));
  t.true(grouped.some((r) => r.memory!.groupRows === 2), 'rows still batched where they fit');
  t.true(grouped.filter((r) => r.memory!.estimatedBytes !== undefined).every((r) => r.memory!.estimatedBytes! <= SAFETY_FRACTION * limit));
  t.true(lines.some((l) => /^sgd on synthetic-conv: .* per run .* → 3 groups of up to 2/.test(l)), lines.join('\n'));

  // One at a time: a limit no row fits under (each is still tried, alone).
  const alone = await tempDir();
  await runSuite(convSuite(syntheticConvTask()), { out: alone, memoryLimit: 1 });
  const single = await records(alone);
  t.true(single.every((r) => r.memory!.groupRows === 1));
  t.deepEqual(byKey(grouped), byKey(single));
  t.true(grouped.every((r) => Number.isFinite(r.finalLoss) && r.metrics?.['testAccuracy'] !== undefined));
});

test.serial('a group that runs out of memory is retried in halves: every run recorded once, and the size that worked is recorded', async (t) => {
  for (const error of [() => new WebAssembly.RuntimeError('memory access out of bounds'), () => new WasmHeapExhausted(2 ** 20, 2 ** 30)]) {
    const task = syntheticConvTask({ failAbove: 2, error });
    const lines: string[] = [];
    const out = await tempDir();
    const before = tf.memory().numTensors;
    await runSuite(convSuite(task), { out, log: (l) => lines.push(l) });
    t.is(tf.memory().numTensors, before, 'failed groups free their tensors');
    const runs = await records(out);
    t.is(runs.length, 9);
    t.is(new Set(runs.map(runKey)).size, 9, 'no run recorded twice');
    t.true(runs.every((r) => r.memory!.groupRows <= 2));
    // sgd: 6 → 3 → 2 (then 2, 2); adam: its 3 rows also fail, then run as 2 + 1.
    t.deepEqual(
      lines.filter((l) => /ran out of memory/.test(l)).map((l) => l.replace(/ \(.*\);/, ';')),
      ['sgd on synthetic-conv: a group of 6 runs ran out of memory; retrying in groups of 3', 'sgd on synthetic-conv: a group of 3 runs ran out of memory; retrying in groups of 2', 'adam on synthetic-conv: a group of 3 runs ran out of memory; retrying in groups of 2'],
    );
    const clean = await tempDir();
    await runSuite(convSuite(syntheticConvTask()), { out: clean });
    t.deepEqual(byKey(runs), byKey(await records(clean)));
  }
});
