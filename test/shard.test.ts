/**
 * Shards: the union of N shards is the unsharded run, record for record, and merge
 * refuses folders that do not belong together, saying which and why.
 */
import test from 'ava';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeSuite } from '../src/suite/decode.js';
import { mergeFolders, MergeError } from '../src/suite/merge.js';
import { runKey, type RunRecord, runResult } from '../src/suite/record.js';
import { runSuite } from '../src/suite/runner.js';
import { parseShard } from '../src/suite/shard.js';

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'alphaopt-shard-'));

async function records(dir: string): Promise<RunRecord[]> {
  const text = await readFile(path.join(dir, 'runs.jsonl'), 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as RunRecord);
}
const numbers = (runs: RunRecord[]) => runs.map(runResult);

const raw = (steps = 25) => ({
  name: 'shards',
  backend: 'cpu',
  steps,
  seeds: 2,
  tasks: [{ task: 'rosenbrock' }, { task: 'beale' }, { task: 'randomQuadratic', options: { dimension: 3 }, id: 'q3' }],
  optimizers: [
    { name: 'sgd', rule: 'sgd', grid: { learningRate: [1e-3, 1e-2] } },
    { name: 'adam', rule: 'adam' },
    { name: 'clipped sgd', rule: { rule: 'chain', options: { rules: [{ rule: 'clipByGlobalNorm', options: { maxNorm: 1 } }, { rule: 'sgd', options: { learningRate: 0.01 } }] } } },
  ],
});

async function runShards(root: string, count: number, steps = 25): Promise<string[]> {
  const dirs: string[] = [];
  for (let index = 0; index < count; index++) {
    const dir = path.join(root, `shard-${index}`);
    await runSuite(decodeSuite(raw(steps), 'shards.json'), { out: dir, shard: { index, count } });
    dirs.push(dir);
  }
  return dirs;
}

test('--shard parses i/N counted from 0 and refuses anything else with the fix', (t) => {
  t.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
  for (const bad of ['4/4', '1', '-1/3', 'a/b', '0/0']) t.throws(() => parseShard(bad), { message: /--shard must be i\/N .*counted from 0/ });
});

test.serial('the union of 3 shards is the unsharded run exactly; the shards are disjoint', async (t) => {
  const whole = await tempDir();
  await runSuite(decodeSuite(raw(), 'shards.json'), { out: whole });
  const root = await tempDir();
  const dirs = await runShards(root, 3);
  const parts = await Promise.all(dirs.map(records));
  t.true(parts.every((p) => p.length > 0), 'every shard has work');
  const keys = parts.flat().map(runKey);
  t.is(new Set(keys).size, keys.length, 'no run in two shards');
  const merged = path.join(root, 'merged');
  const summary = await mergeFolders(dirs, merged);
  t.is(summary.duplicates, 0);
  t.deepEqual(numbers(await records(merged)), numbers(await records(whole)));
  // Merging a folder with itself (a shard rerun) keeps one record per run.
  const again = path.join(root, 'again');
  const twice = await mergeFolders([whole, whole], again);
  t.is(twice.duplicates, twice.runs);
  t.deepEqual(numbers(await records(again)), numbers(await records(whole)));
});

test.serial('merge refuses shards of different suites, versions, splits, missing or repeated shards, naming the folders', async (t) => {
  const root = await tempDir();
  const dirs = await runShards(root, 2);
  const refuse = (folders: string[], pattern: RegExp) => t.throwsAsync(mergeFolders(folders, path.join(root, `out-${Math.random()}`)), { instanceOf: MergeError, message: pattern });

  const other = await tempDir();
  await runSuite(decodeSuite(raw(30), 'shards.json'), { out: other, shard: { index: 1, count: 2 } });
  await refuse([dirs[0]!, other], new RegExp(`${other}/suite.json differs from ${dirs[0]}/suite.json: these are runs of different suites`));

  const moved = path.join(root, 'old-commit');
  await cp(dirs[1]!, moved, { recursive: true });
  const provenance = JSON.parse(await readFile(path.join(moved, 'provenance.json'), 'utf8')) as { commit: string };
  await writeFile(path.join(moved, 'provenance.json'), JSON.stringify({ ...provenance, commit: 'f'.repeat(40) }));
  await refuse([dirs[0]!, moved], /was run at commit f{40}.*different code versions/);

  await refuse([dirs[0]!], /shard\(s\) 1 of 2 missing; .*--partial/);
  t.is((await mergeFolders([dirs[0]!], path.join(root, 'partial'), { partial: true })).runs, (await records(dirs[0]!)).length);
  await refuse([dirs[0]!, dirs[0]!], /shard 0\/2 given twice/);
  const three = await tempDir();
  await runSuite(decodeSuite(raw(), 'shards.json'), { out: three, shard: { index: 1, count: 3 } });
  await refuse([dirs[0]!, three], /shard 1\/3, .* one of 2: all shards must split the suite the same way/);
  await refuse([dirs[0]!, path.join(root, 'nowhere')], /nowhere\/runs.jsonl not found/);
});
