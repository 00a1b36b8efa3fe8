/**
 * The `alphaopt` command for a new user: --version, the shipped suites by name,
 * --data-dir where data is read, and options checked before any work.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { dataDirectories } from '../src/data/locate.js';
import { LOCK_FILE } from '../src/suite/lock.js';
import { SHIPPED_SUITES_DIR, resolveSuiteArgument } from '../src/suite/shipped.js';
import { positiveInteger } from '../src/cli/options.js';
import { runCli } from './helpers/cli.js';
import { writeSyntheticMnistPool } from './helpers/synthetic.js';

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'alphaopt-cli-'));

test('alphaopt --version prints the package version', async (t) => {
  const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  const result = await runCli(['--version']);
  t.is(result.code, 0);
  t.is(result.stdout.trim(), version);
});

test('alphaopt suites lists the shipped suites; a bare name resolves to one from any directory', async (t) => {
  const listed = await runCli(['suites']);
  t.is(listed.code, 0);
  t.regex(listed.stdout, /^ {2}2d +every hand-designed baseline/m);
  t.regex(listed.stdout, /^ {2}l2l-quadratic +/m);
  t.is(resolveSuiteArgument('2d'), path.join(SHIPPED_SUITES_DIR, '2d.json'));
  t.is(resolveSuiteArgument('2d.json'), path.join(SHIPPED_SUITES_DIR, '2d.json'));
  t.is(resolveSuiteArgument('suites/2d.json'), 'suites/2d.json', 'an existing file is taken as it is');
  t.throws(() => resolveSuiteArgument('2e'), { message: /^no suite file '2e' and no shipped suite of that name; .* shipped suites: 2d, actor-critic-cnn, / });
  // From another folder, `alphaopt run 2d` finds and decodes the shipped suite; it stops at the (held) results folder, before any work.
  const cwd = await tempDir();
  await mkdir(path.join(cwd, 'out'));
  await writeFile(path.join(cwd, 'out', LOCK_FILE), JSON.stringify({ pid: process.pid, host: os.hostname(), started: 'now', command: 'test' }));
  const run = await runCli(['run', '2d', '--out', 'out'], { cwd });
  t.not(run.code, 0);
  t.regex(run.stderr, /out is being written by another run: pid \d+/);
});

test('alphaopt backends --steps is checked before anything is measured', async (t) => {
  const parse = positiveInteger('--steps');
  for (const bad of ['0', '-3', 'abc', '2.5', '']) t.throws(() => parse(bad), { message: `--steps must be a positive integer (got '${bad}')` });
  t.is(parse('7'), 7);
  // Through the command: it stops at once, with the message and no stack trace (it used to time 20 s, then crash in toFixed).
  const result = await runCli(['backends', '--steps', '-3'], { timeoutMs: 30_000 });
  t.not(result.code, 0);
  t.regex(result.stderr, /--steps must be a positive integer \(got '-3'\)/);
  t.notRegex(result.stderr, /toFixed|\n\s+at /);
});

test('datasets are looked up in documented places only: no path resolved from the current directory', (t) => {
  t.false(dataDirectories().includes(path.resolve('..', 'shared', 'datasets')));
  t.deepEqual(dataDirectories('/somewhere').slice(0, 1), ['/somewhere']);
});

test.serial('alphaopt run --data-dir reads datasets from there; without it a ../shared/datasets beside the working directory is not used', async (t) => {
  const root = await tempDir();
  const data = path.join(root, 'shared', 'datasets');
  await writeSyntheticMnistPool(data, 'tiny', 30);
  const cwd = path.join(root, 'work');
  await mkdir(cwd);
  await writeFile(
    path.join(cwd, 'suite.json'),
    JSON.stringify({ name: 'tiny', backend: 'cpu', steps: 2, seeds: 1, tasks: [{ task: 'mnistMlp', options: { dataset: 'tiny', hidden: [], batchSize: 4 } }], optimizers: [{ name: 'sgd', rule: 'sgd' }] }),
  );
  const env = { ALPHAOPT_DATA: '', XDG_CACHE_HOME: path.join(root, 'cache') };
  const without = await runCli(['run', 'suite.json', '--out', 'a'], { cwd, env });
  t.not(without.code, 0);
  t.regex(without.stderr, /dataset 'tiny' not found; looked in .*cache.*tiny\. .*pass --data-dir or set ALPHAOPT_DATA/);
  t.false(existsSync(path.join(cwd, 'a')), 'a failed start leaves no folder');
  const withDir = await runCli(['run', 'suite.json', '--out', 'b', '--data-dir', '../shared/datasets'], { cwd, env });
  t.is(withDir.code, 0, withDir.stderr);
  t.is((await readFile(path.join(cwd, 'b', 'runs.jsonl'), 'utf8')).trim().split('\n').length, 1);
});
