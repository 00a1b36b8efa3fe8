/**
 * The suite runner: records, divergence, resume after a killed run, refusal to
 * overwrite, and no tensor leaks across a suite.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, readFile, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decodeSuite } from '../src/suite/decode.js';
import { runKey, type RunRecord } from '../src/suite/record.js';
import { runSuite } from '../src/suite/runner.js';
import { ExistingResultsError } from '../src/suite/store.js';

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'alphaopt-run-'));

async function records(dir: string): Promise<RunRecord[]> {
  const text = await readFile(path.join(dir, 'runs.jsonl'), 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as RunRecord);
}

const smallSuite = (steps = 30) => ({
  name: 'small',
  backend: 'cpu',
  steps,
  seeds: 2,
  tasks: [{ task: 'rosenbrock' }, { task: 'randomQuadratic', options: { dimension: 3 }, id: 'q3' }],
  optimizers: [
    { name: 'sgd', rule: 'sgd', grid: { learningRate: [1e-3, 10] } },
    { name: 'adam', rule: { rule: 'adam', options: { beta1: 0.8 } } },
    { name: 'clipped sgd', rule: { rule: 'chain', options: { rules: [{ rule: 'clipByGlobalNorm', options: { maxNorm: 1 } }, { rule: 'sgd', options: { learningRate: 0.01 } }] } } },
  ],
});

test.serial('a suite writes one complete record per run, and a diverging run is flagged while the rest go on', async (t) => {
  const out = await tempDir();
  const summary = await runSuite(decodeSuite(smallSuite(), 'small.json'), { out });
  const runs = await records(out);
  // 2 tasks × (sgd 2 grid points + adam + clipped sgd) × 2 seeds
  t.is(runs.length, 16);
  t.is(summary.runs, 16);
  for (const r of runs) {
    for (const field of ['task', 'optimizer', 'hparams', 'seed', 'backend', 'steps', 'losses', 'finalLoss', 'bestLoss', 'stepsToThreshold', 'auc', 'wallMs', 'diverged']) {
      t.true(field in r, `${field} missing`);
    }
    t.is(r.losses.length, 31);
    t.is(r.backend, 'cpu');
  }
  const exploded = runs.filter((r) => r.task === 'rosenbrock' && r.optimizer === 'sgd' && r.hparams['learningRate'] === 10);
  t.is(exploded.length, 2);
  t.true(exploded.every((r) => r.diverged && r.finalLoss === null && r.auc === null && r.losses.at(-1) === null));
  const calm = runs.filter((r) => r.task === 'rosenbrock' && r.optimizer === 'sgd' && r.hparams['learningRate'] === 1e-3);
  t.true(calm.every((r) => !r.diverged && r.finalLoss! < r.losses[0]!), 'rows batched with a diverging row are unaffected');
  t.deepEqual(runs.find((r) => r.optimizer === 'adam')!.hparams, { rule: 'adam', beta1: 0.8 });
  t.true(runs.filter((r) => r.task === 'rosenbrock' && r.seed === 0 && !r.diverged).every((r) => (r.trajectory?.length ?? 0) > 10), 'seed-0 runs of 2-D tasks carry trajectories');
  t.true(runs.filter((r) => r.seed !== 0 || r.task === 'q3').every((r) => r.trajectory === undefined), 'and only those');
  t.true(existsSync(path.join(out, 'summary.md')) && existsSync(path.join(out, 'provenance.json')) && existsSync(path.join(out, 'suite.json')));
  // Same seed, same numbers: a run does not depend on what it was batched with.
  const again = await tempDir();
  const single = smallSuite();
  single.optimizers = [{ name: 'sgd', rule: 'sgd', grid: { learningRate: [1e-3] } }];
  await runSuite(decodeSuite(single, 'small.json'), { out: again });
  const alone = (await records(again)).find((r) => r.task === 'q3' && r.seed === 1)!;
  t.deepEqual(alone.losses, runs.find((r) => r.task === 'q3' && r.seed === 1 && r.optimizer === 'sgd' && r.hparams['learningRate'] === 1e-3)!.losses);
});

test.serial('existing results are never overwritten without --resume or --replace', async (t) => {
  const out = await tempDir();
  const suite = decodeSuite({ ...smallSuite(5), tasks: [{ task: 'quadratic' }] }, 'small.json');
  await runSuite(suite, { out });
  await t.throwsAsync(runSuite(suite, { out }), { instanceOf: ExistingResultsError, message: /pass --resume .* or --out another directory/ });
  const replaced = await runSuite(suite, { out, replace: true });
  t.is(replaced.runs, 8);
  t.true(existsSync(path.join(out, '.previous')));
});

test.serial('no tensors leak across a suite (learned optimizer included)', async (t) => {
  const suite = decodeSuite(
    {
      ...smallSuite(10),
      optimizers: [
        ...smallSuite(10).optimizers,
        { name: 'learned', learned: { kind: 'lr-schedule', hyperParams: { horizon: 10 }, metaTrain: { task: { task: 'randomQuadratic', options: { dimension: 2 } }, config: { iterations: 4, unroll: 5, validateEvery: 2 } } } },
      ],
    },
    'small.json',
  );
  await runSuite(suite, { out: await tempDir() });
  const before = tf.memory().numTensors;
  await runSuite(suite, { out: await tempDir() });
  t.is(tf.memory().numTensors, before);
});

test.serial('resume after a killed run: nothing finished is lost, nothing is duplicated', async (t) => {
  const dir = await tempDir();
  const suiteFile = path.join(dir, 'suite.json');
  const suite = {
    ...smallSuite(400),
    tasks: ['quadratic', 'rosenbrock', 'beale', 'himmelblau', 'rastrigin', 'saddle'].map((task) => ({ task })),
  };
  await writeFile(suiteFile, JSON.stringify(suite));
  const out = path.join(dir, 'out');
  const cli = path.resolve('src/cli/index.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'run', suiteFile, '--out', out], { stdio: 'ignore' });
  // Kill it as soon as some, but not all, runs are on disk.
  const expected = 6 * 4 * 2;
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(async () => {
      const text = existsSync(path.join(out, 'runs.jsonl')) ? await readFile(path.join(out, 'runs.jsonl'), 'utf8') : '';
      const lines = text.split('\n').filter((l) => l !== '').length;
      if (lines > 0) {
        clearInterval(timer);
        child.kill('SIGKILL');
        resolve();
      }
    }, 20);
    child.on('exit', () => {
      clearInterval(timer);
      resolve();
    });
    setTimeout(() => reject(new Error('the run never wrote a record')), 120_000);
  });
  // Resume once the killed process is gone: until then it still holds the folder's lock.
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  const partial = await records(out);
  t.true(partial.length > 0 && partial.length < expected, `killed after ${partial.length} of ${expected} runs`);
  // A crash mid-write leaves a partial line: resume must cut it off, not choke on it.
  await appendFile(path.join(out, 'runs.jsonl'), '{"task": "quadr');
  const resumed = await runSuite(decodeSuite(suite, suiteFile), { out, resume: true });
  const all = await records(out);
  t.is(all.length, expected);
  t.is(new Set(all.map(runKey)).size, expected, 'no run recorded twice');
  t.is(resumed.runs, expected - partial.length, 'only the missing runs were run');
  for (const done of partial) t.deepEqual(all.find((r) => runKey(r) === runKey(done)), done, 'finished records are kept as they were');
  // The killed invocation's provenance is kept beside the resuming one's.
  const provenance = JSON.parse(await readFile(path.join(out, 'provenance.json'), 'utf8')) as { command: string; earlierInvocations?: Array<{ command: string; date: string }> };
  t.is(provenance.earlierInvocations?.length, 1);
  t.regex(provenance.earlierInvocations![0]!.command, /run .*suite\.json --out/);
  t.notRegex(provenance.command, /--out/, 'the resuming invocation (here: the API, not the CLI) is recorded as the current one');
});

test.serial('online learned optimizers learn within each run only: a run is the same whether or not other runs came before it', async (t) => {
  const suite = (seeds: number) =>
    decodeSuite(
      {
        name: 'online',
        backend: 'cpu',
        steps: 15,
        seeds,
        tasks: [{ task: 'randomQuadratic', options: { dimension: 4 }, id: 'q4', threshold: 1e9 }],
        optimizers: [{ name: 'hypergradient schedule', learned: { kind: 'lr-schedule', hyperParams: { horizon: 15, initialLearningRate: 0.01, onlineRate: 0.5 }, mode: 'online' } }],
      },
      'online.json',
    );
  const both = await tempDir();
  await runSuite(suite(3), { out: both });
  const alone = await tempDir();
  await runSuite(suite(1), { out: alone });
  const [all, first] = [await records(both), await records(alone)];
  t.is(all.length, 3);
  t.deepEqual(all.find((r) => r.seed === 0)!.losses, first[0]!.losses);
  t.is(first[0]!.hparams['mode'], 'online');
  // The task entry's threshold replaced the task's own: every run is below 1e9 from the start.
  t.true(all.every((r) => r.stepsToThreshold === 0));
  // Online learning changed the run: it differs from the frozen schedule's run.
  const frozen = await tempDir();
  const raw = { ...suite(1).raw as object };
  await runSuite(decodeSuite({ ...raw, optimizers: [{ name: 'frozen', learned: { kind: 'lr-schedule', hyperParams: { horizon: 15, initialLearningRate: 0.01, onlineRate: 0.5 }, checkpoint: path.join(frozen, 'none'), metaTrain: { task: { task: 'quadratic' }, config: { iterations: 1, horizon: 15, unroll: 15, tasksPerIteration: 1, validationTasks: 1, validateEvery: 1 } } } }] }, path.join(frozen, 's.json')), { out: frozen });
  t.notDeepEqual((await records(frozen))[0]!.losses, first[0]!.losses);
});

test('online mode is refused for kinds that cannot learn while they run', (t) => {
  const error = t.throws(() =>
    decodeSuite({ name: 'x', steps: 5, seeds: 1, tasks: [{ task: 'quadratic' }], optimizers: [{ name: 'lstm', learned: { kind: 'lstm', mode: 'online' } }] }, 'x.json'),
  );
  t.regex(error!.message, /optimizers\[0\]\.learned\.mode: 'lstm' has no online mode/);
});

test.serial('a missing dataset stops a resumed suite before anything is written: the folder keeps its runs and provenance', async (t) => {
  const out = await tempDir();
  await runSuite(decodeSuite(smallSuite(5), 'small.json'), { out });
  const before = await Promise.all(['runs.jsonl', 'provenance.json', 'suite.json'].map((f) => readFile(path.join(out, f), 'utf8')));
  const withImages = { ...smallSuite(5), tasks: [...smallSuite(5).tasks, { task: 'mnistMlp', id: 'absent', options: { dataset: 'no-such-dataset' } }] };
  await t.throwsAsync(runSuite(decodeSuite(withImages, 'small.json'), { out, resume: true }), { message: /dataset 'no-such-dataset' not found; looked in .*Missing: .*ALPHAOPT_DATA/ });
  const after = await Promise.all(['runs.jsonl', 'provenance.json', 'suite.json'].map((f) => readFile(path.join(out, f), 'utf8')));
  t.deepEqual(after, before);
});

test('an optimizer restricted to some tasks runs on those only', async (t) => {
  const out = await tempDir();
  const suite = smallSuite(5);
  (suite.optimizers[1] as Record<string, unknown>)['tasks'] = ['q3'];
  await runSuite(decodeSuite(suite, 'small.json'), { out });
  const runs = await records(out);
  t.deepEqual([...new Set(runs.filter((r) => r.optimizer === 'adam').map((r) => r.task))], ['q3']);
  t.deepEqual([...new Set(runs.filter((r) => r.optimizer === 'sgd').map((r) => r.task))].sort(), ['q3', 'rosenbrock']);
  t.regex(await readFile(path.join(out, 'summary.md'), 'utf8'), /adam/);
});

test.serial('alphaopt report rewrites a summary from runs.jsonl and keeps the provenance of the runs at its top', async (t) => {
  const out = await tempDir();
  await runSuite(decodeSuite(smallSuite(5), 'small.json'), { out, command: 'alphaopt run small.json --out somewhere' });
  const { execFile } = await import('node:child_process');
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', path.resolve('src/cli/index.ts'), 'report', out, '--no-png'], (error) => (error === null ? resolve() : reject(error))),
  );
  const summary = await readFile(path.join(out, 'summary.md'), 'utf8');
  t.regex(summary, /report rewritten by `alphaopt report`/);
  t.regex(summary, /Command: `alphaopt run small\.json --out somewhere` · backend cpu · AlphaOpt \d+\.\d+\.\d+, commit [0-9a-f]{12}/);
  t.regex(summary, /## rosenbrock/);
});

test.serial('a run that traps even alone stops the suite with a message naming the task, the optimizer and the size; finished runs stay on disk', async (t) => {
  const out = await tempDir();
  const suite = decodeSuite(smallSuite(3), 'small.json');
  const q3 = suite.tasks[1]!;
  // Stands in for wasm running out of its heap: what tfjs-backend-wasm throws then.
  const trapping = Object.create(q3, {
    instantiate: {
      value: (seeds: readonly number[]) => {
        const problem = q3.instantiate(seeds);
        return { ...problem, loss: () => { throw new WebAssembly.RuntimeError('memory access out of bounds'); } };
      },
    },
  }) as typeof q3;
  suite.tasks[1] = trapping;
  const error = await t.throwsAsync(runSuite(suite, { out }));
  // The group of 4 is retried in halves first; one row that still fails is the error.
  t.regex(error!.message, /^sgd on q3: a single run \(3 parameters, seed 0\) does not fit in memory \(memory access out of bounds\)\. The runs finished so far are kept/);
  const kept = await records(out);
  t.true(kept.length > 0 && kept.every((r) => r.task === 'rosenbrock'), 'the first task’s runs were recorded before the failure');
});
