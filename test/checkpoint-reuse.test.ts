/**
 * `--replace` keeps a learned optimizer's checkpoint when its meta-training config and
 * the code are unchanged (and says so), and meta-trains again when the config changed.
 */
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeSuite } from '../src/suite/decode.js';
import { runResult, type RunRecord } from '../src/suite/record.js';
import { runSuite } from '../src/suite/runner.js';

const raw = (iterations: number) => ({
  name: 'reuse',
  backend: 'cpu',
  steps: 10,
  seeds: 2,
  tasks: [{ task: 'rosenbrock' }],
  optimizers: [
    { name: 'sgd', rule: 'sgd' },
    { name: 'learned', learned: { kind: 'lr-schedule', hyperParams: { horizon: 10 }, metaTrain: { task: { task: 'randomQuadratic', options: { dimension: 2 } }, config: { iterations, unroll: 5, validateEvery: 2 } } } },
  ],
});

async function runs(dir: string): Promise<Array<ReturnType<typeof runResult>>> {
  const text = await readFile(path.join(dir, 'runs.jsonl'), 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => runResult(JSON.parse(l) as RunRecord));
}

test('a replaced result reuses the learned checkpoint of the same config and code, and meta-trains when the config changed', async (t) => {
  const out = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-reuse-'));
  const first: string[] = [];
  await runSuite(decodeSuite(raw(4), 'reuse.json'), { out, log: (l) => first.push(l) });
  t.true(first.some((l) => l.includes('meta-training')));
  const before = await runs(out);

  const second: string[] = [];
  await runSuite(decodeSuite(raw(4), 'reuse.json'), { out, replace: true, log: (l) => second.push(l) });
  t.true(second.some((l) => /reusing the checkpoint meta-trained in .*\.previous.*same meta-training config and code version/.test(l)), second.join('\n'));
  t.false(second.some((l) => l.includes("meta-training a 'lr-schedule'")));
  t.deepEqual(await runs(out), before, 'the reused optimizer gives the same runs');

  const third: string[] = [];
  await runSuite(decodeSuite(raw(6), 'reuse.json'), { out, replace: true, log: (l) => third.push(l) });
  t.true(third.some((l) => l.includes("meta-training a 'lr-schedule'")), third.join('\n'));
  t.false(third.some((l) => l.includes('reusing')));
});
