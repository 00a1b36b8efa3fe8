/** The report redraws only the plots whose inputs changed (plots/inputs.json keeps a hash of each plot's spec). */
import test from 'ava';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeReport } from '../src/reporting/index.js';
import { decodeSuite } from '../src/suite/decode.js';
import { runSuite } from '../src/suite/runner.js';
import type { RunRecord } from '../src/suite/record.js';

function record(task: string, optimizer: string, seed: number, final: number): RunRecord {
  return {
    task, optimizer, hparams: { rule: optimizer, learningRate: 0.1 }, seed, backend: 'cpu', steps: 2, losses: [10, 5, final],
    finalLoss: final, bestLoss: Math.min(5, final), stepsToThreshold: null, auc: (15 + final) / 3, wallMs: 1, diverged: false, optimum: 0, lossScale: 'log',
  };
}

const lines = (runs: RunRecord[]) => runs.map((r) => `${JSON.stringify(r)}\n`).join('');
const runs = [0, 1].flatMap((seed) => [record('bowl', 'sgd', seed, 1 + seed), record('bowl', 'adam', seed, 0.5), record('flat', 'sgd', seed, 2)]);
const mtime = async (file: string) => (await stat(file)).mtimeMs;

test('an unchanged plot is not drawn again; a changed, missing or differently formatted one is', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-incremental-'));
  const plots = path.join(dir, 'plots');
  await writeFile(path.join(dir, 'runs.jsonl'), lines(runs));
  const first = await writeReport(dir, { png: false });
  t.deepEqual(first.unchanged, []);
  t.deepEqual(Object.keys(JSON.parse(await readFile(path.join(plots, 'inputs.json'), 'utf8')) as object).sort(), ['loss-bowl', 'loss-flat', 'performance-profiles']);
  const bowlTime = await mtime(path.join(plots, 'loss-bowl.svg'));
  const flatSvg = await readFile(path.join(plots, 'loss-flat.svg'), 'utf8');

  await new Promise((r) => setTimeout(r, 20));
  const again = await writeReport(dir, { png: false });
  t.deepEqual(again.unchanged.sort(), ['loss-bowl', 'loss-flat', 'performance-profiles'], 'same runs: nothing redrawn');
  t.is(await mtime(path.join(plots, 'loss-bowl.svg')), bowlTime);
  t.true(again.files.includes(path.join(plots, 'loss-bowl.svg')), 'kept plots are still listed as report files');

  // A new run of one task: only that task's plot is redrawn (flat has one optimizer, so the cross-task profile stays).
  await writeFile(path.join(dir, 'runs.jsonl'), lines([...runs, record('flat', 'sgd', 2, 7)]));
  const changed = await writeReport(dir, { png: false });
  t.deepEqual(changed.unchanged, ['loss-bowl', 'performance-profiles']);
  t.not(await readFile(path.join(plots, 'loss-flat.svg'), 'utf8'), flatSvg);
  t.is(await mtime(path.join(plots, 'loss-bowl.svg')), bowlTime);

  // A deleted plot is drawn again even though its inputs did not change.
  await rm(path.join(plots, 'loss-bowl.svg'));
  const redrawn = await writeReport(dir, { png: false });
  t.deepEqual(redrawn.unchanged, ['loss-flat', 'performance-profiles']);
  t.true((await stat(path.join(plots, 'loss-bowl.svg'))).size > 0);

  // Asking for PNGs too: every plot is drawn (its PNG did not exist).
  const withPng = await writeReport(dir, { png: true });
  t.deepEqual(withPng.unchanged, []);
  t.true((await stat(path.join(plots, 'loss-flat.png'))).size > 0);
});

test('an unreadable plots/inputs.json means every plot is drawn, and the file is rewritten', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-incremental-'));
  await writeFile(path.join(dir, 'runs.jsonl'), lines(runs));
  await writeReport(dir, { png: false });
  await writeFile(path.join(dir, 'plots', 'inputs.json'), '{ not json');
  const result = await writeReport(dir, { png: false });
  t.deepEqual(result.unchanged, []);
  t.deepEqual(Object.keys(JSON.parse(await readFile(path.join(dir, 'plots', 'inputs.json'), 'utf8')) as object).sort(), ['loss-bowl', 'loss-flat', 'performance-profiles']);
});

test('reuseFrom: plots with the same inputs are copied from an earlier folder (what --replace moved aside), others drawn', async (t) => {
  const earlier = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-incremental-'));
  await writeFile(path.join(earlier, 'runs.jsonl'), lines(runs));
  await writeReport(earlier, { png: false });
  // Marks the earlier copy, so a copied plot can be told from a redrawn one.
  await writeFile(path.join(earlier, 'plots', 'loss-bowl.svg'), `${await readFile(path.join(earlier, 'plots', 'loss-bowl.svg'), 'utf8')}<!-- earlier -->`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-incremental-'));
  await writeFile(path.join(dir, 'runs.jsonl'), lines([...runs, record('flat', 'sgd', 2, 7)]));
  const result = await writeReport(dir, { png: false, reuseFrom: path.join(earlier, 'plots') });
  // flat has one optimizer: its new run leaves the cross-task profile as it was.
  t.deepEqual(result.unchanged, ['loss-bowl', 'performance-profiles']);
  t.true((await readFile(path.join(dir, 'plots', 'loss-bowl.svg'), 'utf8')).endsWith('<!-- earlier -->'), 'copied');
  t.not(await readFile(path.join(dir, 'plots', 'loss-flat.svg'), 'utf8'), await readFile(path.join(earlier, 'plots', 'loss-flat.svg'), 'utf8'), 'redrawn from the new runs');
  const again = await writeReport(dir, { png: false });
  t.deepEqual(again.unchanged.sort(), ['loss-bowl', 'loss-flat', 'performance-profiles'], 'the copied plot is recorded in the new inputs.json');
});

test('a suite rerun with --replace copies its unchanged plots from the results it moved aside', async (t) => {
  const suite = decodeSuite(
    { name: 'incremental', backend: 'cpu', steps: 5, seeds: 1, tasks: [{ task: 'rosenbrock' }], optimizers: [{ name: 'sgd', rule: 'sgd' }, { name: 'adam', rule: 'adam' }] },
    'incremental.json',
  );
  const out = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-incremental-'));
  const first = await runSuite(suite, { out, log: () => undefined });
  t.deepEqual(first.report.unchanged, []);
  const lines: string[] = [];
  const second = await runSuite(suite, { out, replace: true, log: (l) => lines.push(l) });
  t.deepEqual(second.report.unchanged.sort(), ['loss-rosenbrock', 'performance-profiles', 'trajectories-rosenbrock']);
  t.true(lines.some((l) => /3 plots unchanged, not redrawn/.test(l)), lines.join('\n'));
});
