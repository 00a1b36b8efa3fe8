/**
 * Provenance names the AlphaOpt that ran (version; its commit only from a
 * checkout of AlphaOpt) and, apart and labelled, the user's working directory.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { collectProvenance, describeProvenance, type Provenance } from '../src/provenance.js';
import { decodeSuite } from '../src/suite/decode.js';
import { runSuite } from '../src/suite/runner.js';
import { runCli } from './helpers/cli.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' }).trim();

async function repository(files: Record<string, string>): Promise<{ dir: string; commit: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-repo-'));
  git(dir, 'init', '-q');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'initial');
  return { dir, commit: git(dir, 'rev-parse', 'HEAD') };
}

test('installed in a user\'s repository: the AlphaOpt version, no commit for it, and the user\'s commit labelled as the working directory\'s', async (t) => {
  const user = await repository({ 'index.js': '', 'node_modules/alphaopt/package.json': '{"name": "alphaopt", "version": "9.8.7"}' });
  const p = collectProvenance('cpu', undefined, 'alphaopt run 2d', { cwd: user.dir, packageRoot: path.join(user.dir, 'node_modules', 'alphaopt') });
  t.deepEqual(p.alphaopt, { version: '9.8.7' });
  t.deepEqual(p.workingDirectory, { commit: user.commit, dirty: false });
  t.is(p.commit, undefined, 'the user\'s commit is not passed off as AlphaOpt\'s');
  t.regex(describeProvenance(p), new RegExp(`· AlphaOpt 9\\.8\\.7 \\(installed package\\) · working directory commit ${user.commit.slice(0, 12)} ·`));
});

test('run from a checkout of AlphaOpt: its own commit, recorded once', async (t) => {
  const checkout = await repository({ 'package.json': '{"name": "alphaopt", "version": "1.2.3"}' });
  await writeFile(path.join(checkout.dir, 'package.json'), '{"name": "alphaopt", "version": "1.2.4"}');
  const p = collectProvenance('wasm', undefined, 'x', { cwd: checkout.dir, packageRoot: checkout.dir });
  t.deepEqual(p.alphaopt, { version: '1.2.4', commit: checkout.commit, dirty: true });
  t.is(p.workingDirectory, undefined);
  t.regex(describeProvenance(p), new RegExp(`· AlphaOpt 1\\.2\\.4, commit ${checkout.commit.slice(0, 12)} \\(uncommitted changes\\) ·`));
});

test('an unknown commit is never cut mid-word (records written before versions were kept read as before)', (t) => {
  const legacy = { ...collectProvenance('cpu'), alphaopt: undefined, commit: 'unknown (not a git checkout)', dirty: false } as unknown as Provenance;
  t.regex(describeProvenance(legacy), /· commit unknown \(not a git checkout\) ·/);
  const sha = 'a'.repeat(40);
  t.regex(describeProvenance({ ...legacy, commit: sha }), /· commit a{12} ·/);
});

test.serial('--replace in a clean checkout is not "dirty": the check happens before tracked results are moved aside', async (t) => {
  const suite = { name: 'tiny', backend: 'cpu', steps: 3, seeds: 1, tasks: [{ task: 'quadratic' }], optimizers: [{ name: 'sgd', rule: 'sgd' }] };
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-results-'));
  await runSuite(decodeSuite(suite, 'suite.json'), { out: scratch });
  const tracked: Record<string, string> = { 'suite.json': JSON.stringify(suite) };
  for (const f of ['runs.jsonl', 'summary.md', 'summary.csv', 'provenance.json', 'suite.json']) tracked[`results/tiny/${f}`] = await readFile(path.join(scratch, f), 'utf8');
  const clone = await repository(tracked);
  const result = await runCli(['run', 'suite.json', '--out', 'results/tiny', '--replace'], { cwd: clone.dir });
  t.is(result.code, 0, result.stderr);
  const provenance = JSON.parse(await readFile(path.join(clone.dir, 'results/tiny/provenance.json'), 'utf8')) as Provenance;
  t.deepEqual(provenance.workingDirectory, { commit: clone.commit, dirty: false });
});
