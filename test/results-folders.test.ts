/**
 * Results folders: one writer at a time, nothing moved aside before the run can
 * start, and a report that counts every run once and says what it skipped.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readRuns, writeReport } from '../src/reporting/index.js';
import { decodeSuite } from '../src/suite/decode.js';
import { LOCK_FILE, ResultsLockedError } from '../src/suite/lock.js';
import { runKey, type RunRecord } from '../src/suite/record.js';
import { runSuite } from '../src/suite/runner.js';
import { runCli } from './helpers/cli.js';

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'alphaopt-folders-'));

const tiny = (extra: Record<string, unknown> = {}) =>
  decodeSuite({ name: 'tiny', backend: 'cpu', steps: 3, seeds: 2, tasks: [{ task: 'quadratic' }], optimizers: [{ name: 'sgd', rule: 'sgd', grid: { learningRate: [0.01, 0.1] } }], ...extra }, 'tiny.json');

const lines = async (dir: string) => (await readFile(path.join(dir, 'runs.jsonl'), 'utf8')).split('\n').filter((l) => l !== '');

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['-e', '']);
    child.on('exit', () => setTimeout(() => resolve(child.pid!), 50));
  });
}

test.serial('two runs on one folder at once: one writes, the other is refused naming the holder; no run is recorded twice', async (t) => {
  const out = await tempDir();
  const results = await Promise.allSettled([runSuite(tiny(), { out, command: 'first' }), runSuite(tiny(), { out, command: 'second' })]);
  t.is(results.filter((r) => r.status === 'fulfilled').length, 1);
  const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  t.true(refused.reason instanceof ResultsLockedError);
  t.regex((refused.reason as Error).message, new RegExp(`is being written by another run: pid ${process.pid} on ${os.hostname()}, started .* \\((first|second)\\)`));
  const runs = await lines(out);
  t.is(runs.length, 4);
  t.is(new Set(runs.map((l) => runKey(JSON.parse(l) as RunRecord))).size, 4);
  t.false(existsSync(path.join(out, LOCK_FILE)), 'the lock is released when the run ends');
});

test.serial('--resume while another live process holds the folder is refused too; the folder is left as it was', async (t) => {
  const out = await tempDir();
  await runSuite(tiny(), { out });
  const before = await readFile(path.join(out, 'runs.jsonl'), 'utf8');
  const holder = { pid: process.pid, host: os.hostname(), started: '2026-01-01T00:00:00.000Z', command: 'alphaopt run other.json' };
  await writeFile(path.join(out, LOCK_FILE), JSON.stringify(holder));
  const error = await t.throwsAsync(runSuite(tiny({ seeds: 3 }), { out, resume: true }), { instanceOf: ResultsLockedError });
  t.regex(error!.message, /pid \d+ on .*, started 2026-01-01T00:00:00\.000Z \(alphaopt run other\.json\)\. Wait for it to finish, or use another --out; if that process is surely gone, delete .*\.lock/);
  t.is(await readFile(path.join(out, 'runs.jsonl'), 'utf8'), before);
  // A lock from another machine cannot be checked: refused as well.
  await writeFile(path.join(out, LOCK_FILE), JSON.stringify({ ...holder, pid: 1, host: 'elsewhere' }));
  await t.throwsAsync(runSuite(tiny({ seeds: 3 }), { out, resume: true }), { instanceOf: ResultsLockedError, message: /pid 1 on elsewhere/ });
});

test.serial('a stale lock (its process is gone) is taken over, and the log says so', async (t) => {
  const out = await tempDir();
  const pid = await deadPid();
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, LOCK_FILE), JSON.stringify({ pid, host: os.hostname(), started: '2026-01-01T00:00:00.000Z', command: 'killed' }));
  const log: string[] = [];
  await runSuite(tiny(), { out, log: (line) => log.push(line) });
  t.is((await lines(out)).length, 4);
  t.true(log.some((l) => l.includes(`stale lock of pid ${pid}`)), log.join('\n'));
  t.false(existsSync(path.join(out, LOCK_FILE)));
});

test.serial('--replace checks datasets and checkpoints before moving anything: a failed start leaves the old results in place', async (t) => {
  const out = await tempDir();
  await runSuite(tiny(), { out });
  const before = (await readdir(out)).sort();
  const missingData = tiny({ tasks: [{ task: 'quadratic' }, { task: 'mnistMlp', id: 'absent', options: { dataset: 'no-such-dataset' } }] });
  await t.throwsAsync(runSuite(missingData, { out, replace: true }), { message: /dataset 'no-such-dataset' not found/ });
  const broken = path.join(await tempDir(), 'checkpoint');
  await mkdir(broken);
  await writeFile(path.join(broken, 'manifest.json'), '{"kind": "lr-schedule", "version": ');
  const badCheckpoint = tiny({ optimizers: [{ name: 'sgd', rule: 'sgd' }, { name: 'learned', learned: { kind: 'lr-schedule', checkpoint: broken } }] });
  await t.throwsAsync(runSuite(badCheckpoint, { out, replace: true }), { message: /manifest\.json/ });
  t.deepEqual((await readdir(out)).sort(), before, 'nothing moved to .previous, nothing rewritten');
  t.false(existsSync(path.join(out, '.previous')));
  // A learned optimizer with nothing to load and nothing to train it with is caught before the move as well.
  const nothing = tiny({ optimizers: [{ name: 'learned', learned: { kind: 'lr-schedule', checkpoint: path.join(broken, 'absent'), mode: 'online', hyperParams: { horizon: 3 } } }] });
  await t.throwsAsync(runSuite(nothing, { out, replace: true }), { message: /no checkpoint at .*absent and no metaTrain config/ });
  t.deepEqual((await readdir(out)).sort(), before);
});

test.serial('a failed start in a new folder leaves no provenance.json or suite.json (no folder at all)', async (t) => {
  const out = path.join(await tempDir(), 'new');
  const broken = path.join(await tempDir(), 'checkpoint');
  await mkdir(broken);
  await writeFile(path.join(broken, 'manifest.json'), 'not json');
  await t.throwsAsync(runSuite(tiny({ optimizers: [{ name: 'learned', learned: { kind: 'lr-schedule', checkpoint: broken } }] }), { out }));
  t.false(existsSync(out));
});

function record(seed: number, finalLoss: number): RunRecord {
  return { task: 'bowl', optimizer: 'sgd', hparams: { rule: 'sgd', learningRate: 0.1 }, seed, backend: 'cpu', steps: 2, losses: [3, 2, finalLoss], finalLoss, bestLoss: finalLoss, stepsToThreshold: null, auc: 2, wallMs: 1, diverged: false };
}

test('the report counts a run recorded twice once (by its run key) and says how many it dropped', async (t) => {
  const dir = await tempDir();
  const runs = [record(0, 1), record(1, 1), record(2, 1), record(0, 100), record(1, 100)];
  await writeFile(path.join(dir, 'runs.jsonl'), `${runs.map((r) => JSON.stringify(r)).join('\n')}\n`);
  const { records, duplicates } = await readRuns(path.join(dir, 'runs.jsonl'));
  t.is(records.length, 3);
  t.deepEqual(duplicates, [4, 5]);
  const report = await writeReport(dir, { png: false });
  const sgd = report.summary[0]!.optimizers[0]!;
  t.is(sgd.seeds, 3);
  t.is(sgd.finalLoss.mean, 1, 'the first record of each run is kept');
  t.regex(await readFile(path.join(dir, 'summary.md'), 'utf8'), /\*\*2 duplicate record\(s\) of runs already recorded were dropped\*\* \(each run counted once\): line\(s\) 4, 5/);
});

test('a record of the wrong shape gets a one-line message naming the field', async (t) => {
  const dir = await tempDir();
  const huge = { ...record(0, 1), optimizer: 3, losses: Array.from({ length: 5000 }, () => 'x') };
  await writeFile(path.join(dir, 'runs.jsonl'), `${JSON.stringify(record(1, 1))}\n${JSON.stringify(huge)}\n{"task": "bowl"}\n`);
  const { malformed } = await readRuns(path.join(dir, 'runs.jsonl'));
  t.is(malformed.length, 2);
  t.regex(malformed[0]!.error, /^not a run record: \$\.optimizer: expected string, got 3; \$\.losses\[0\]: expected number or null, got "x"; \$\.losses\[1\]/);
  t.true(malformed[0]!.error.length < 300 && !malformed[0]!.error.includes('\n'), malformed[0]!.error);
  t.regex(malformed[1]!.error, /\$\.optimizer: missing; expected string/);
});

test.serial('alphaopt report names malformed lines and dropped duplicates on stderr, and fails on a file with no valid record', async (t) => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'runs.jsonl'), [JSON.stringify(record(0, 1)), '{"task": "bowl", "optimizer": 3}', 'not json', JSON.stringify(record(0, 1)), ''].join('\n'));
  const ok = await runCli(['report', dir, '--no-png']);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stderr, /2 malformed line\(s\) skipped: line 2 \(not a run record: \$\.optimizer: expected string, got 3.*\), line 3 \(not JSON/);
  t.regex(ok.stderr, /1 duplicate record\(s\) of runs already recorded dropped \(counted once\): line 4/);
  const bad = await tempDir();
  await writeFile(path.join(bad, 'runs.jsonl'), '{"task": 1}\nnope\n');
  const failed = await runCli(['report', bad, '--no-png']);
  t.not(failed.code, 0);
  t.regex(failed.stderr, /runs\.jsonl: no valid run record; 2 malformed line\(s\) skipped: line 1 .*line 2/);
  t.false(existsSync(path.join(bad, 'summary.md')));
});
