/**
 * ES pairs and PES particles as BullMQ jobs (src/queue/perturbations.ts): meta-training
 * here, its population evaluated by an `alphaopt worker` (two sandboxes) through Redis
 * on loopback, gives bit-identical meta-parameters to the in-process run.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setupBackend } from '../src/backend/setup.js';
import { loadLearnedOptimizer } from '../src/learned/index.js';
import type { JsonValue } from '../src/learned/types.js';
import { decodeMetaTrainConfig } from '../src/meta/config.js';
import { esEstimatorWith } from '../src/meta/es/es.js';
import { metaTrain } from '../src/meta/metaTrain.js';
import { pesEstimator } from '../src/meta/pes/pes.js';
import { trainTruncated } from '../src/meta/truncated.js';
import { metaTrainOnQueue } from '../src/queue/metaTrain.js';
import { openQueuedPerturbations } from '../src/queue/perturbations.js';
import { readSuite } from '../src/suite/decode.js';
import { prepareLearned } from '../src/suite/prepare.js';
import { startWorker } from '../src/queue/worker.js';
import { runCli } from './helpers/cli.js';
import { metaValues as values, poolFamily as family, poolLstm as lstm } from './helpers/metaPool.js';
import { startRedis } from './helpers/redis.js';

test.before(async () => {
  await setupBackend('cpu');
});

const config = (method: 'es' | 'pes'): Record<string, JsonValue> => ({ method, iterations: 4, unroll: 3, horizon: 6, tasksPerIteration: 3, pairs: 4, sigma: 0.01, validateEvery: 2, validationTasks: 2 });

test('ES pairs and PES particles as queue jobs: the same meta-parameters as in one process, bit for bit', async (t) => {
  const redis = await startRedis();
  const queue = 'perturbations';
  const worker = startWorker({ redis: redis.url, queue, concurrency: 2, work: await mkdtemp(path.join(os.tmpdir(), 'alphaopt-queue-')) });
  t.teardown(async () => {
    await worker.close(true);
    await redis.stop();
  });
  for (const method of ['es', 'pes'] as const) {
    const reference = lstm();
    await metaTrain(reference, family(), config(method));
    const optimizer = lstm();
    const decoded = decodeMetaTrainConfig(config(method), 'metaTrain', optimizer.metaTrainDefaults);
    const f = family();
    const queued = await openQueuedPerturbations({ redis: redis.url, queue, timeoutMs: 120_000 }, optimizer, f.task, decoded);
    const pes = method === 'pes' ? pesEstimator(queued.evaluateParticles, { elsewhere: true }) : undefined;
    try {
      await trainTruncated(optimizer, f, decoded, pes ?? esEstimatorWith(queued.evaluatePairs, { elsewhere: true }));
    } finally {
      pes?.dispose();
      await queued.close();
    }
    t.deepEqual(values(optimizer), values(reference), method);
    reference.dispose();
    optimizer.dispose();
  }
});

/** A suite with one learned optimizer per method, meta-trained by `method`, written to a temporary folder. */
async function suiteFile(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-queue-suite-'));
  const learned = (method: 'es' | 'pes' | 'bptt') => ({ name: `lstm-${method}`, learned: { kind: 'lstm', hyperParams: { hidden: 3, seed: 4 }, metaTrain: { task: { task: 'randomQuadratic', options: { dimension: 3 } }, config: config(method === 'bptt' ? 'es' : method) } } });
  const bptt = learned('bptt');
  bptt.learned.metaTrain.config = { method: 'bptt', iterations: 2, unroll: 3, horizon: 6, tasksPerIteration: 2 };
  const suite = { name: 'queued-meta-training', backend: 'cpu', steps: 5, seeds: 1, tasks: [{ task: 'randomQuadratic', options: { dimension: 3 } }], optimizers: [learned('es'), learned('pes'), bptt] };
  const file = path.join(dir, 'suite.json');
  await writeFile(file, JSON.stringify(suite));
  return file;
}

test('alphaopt queue meta-train: ES and PES with their population on the queue save the checkpoint one process would', async (t) => {
  const redis = await startRedis();
  const queue = 'meta-train';
  const worker = startWorker({ redis: redis.url, queue, concurrency: 1, work: await mkdtemp(path.join(os.tmpdir(), 'alphaopt-queue-')) });
  t.teardown(async () => {
    await worker.close(true);
    await redis.stop();
  });
  const file = await suiteFile();
  const suite = await readSuite(file);
  for (const name of ['lstm-es', 'lstm-pes']) {
    const out = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-queue-out-'));
    const result = await runCli(['queue', 'meta-train', file, '--optimizer', name, '--redis', redis.url, '--queue', queue, '--out', out, '--job-timeout', '120'], { timeoutMs: 240_000 });
    t.is(result.code, 0, result.stderr);
    const dir = path.join(out, 'checkpoints', name);
    t.regex(result.stdout, new RegExp(`checkpoint ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const saved = JSON.parse(await readFile(path.join(dir, 'metatrain.json'), 'utf8')) as { fingerprint?: unknown; report: { curve: unknown[] } };
    t.truthy(saved.fingerprint, 'fingerprinted like the runner\'s checkpoints (reused by --replace)');
    // The reference: the runner's own preparation, meta-training in this process.
    const reference = await prepareLearned(suite.optimizers.find((o) => o.name === name) as Parameters<typeof prepareLearned>[0], await mkdtemp(path.join(os.tmpdir(), 'alphaopt-queue-ref-')), () => undefined);
    const queued = await loadLearnedOptimizer(dir, 'lstm');
    t.deepEqual(values(queued), values(reference), `${name}: the same meta-parameters, bit for bit`);
    queued.dispose();
    reference.dispose();
    // A second call refuses to overwrite the checkpoint.
    await t.throwsAsync(metaTrainOnQueue(suite, name, { redis: redis.url, queue, out }), { message: /a checkpoint is already at .*remove it, or pick another --out/ });
  }
});

test('alphaopt queue meta-train refuses an unknown optimizer and a method that runs in one process, naming the fix', async (t) => {
  const suite = await readSuite(await suiteFile());
  const options = { redis: 'redis://127.0.0.1:1', out: await mkdtemp(path.join(os.tmpdir(), 'alphaopt-queue-out-')) };
  await t.throwsAsync(metaTrainOnQueue(suite, 'nope', options), { message: /no learned optimizer named 'nope' \(its learned optimizers: 'lstm-es', 'lstm-pes', 'lstm-bptt'\)/ });
  await t.throwsAsync(metaTrainOnQueue(suite, 'lstm-bptt', options), { message: /metaTrain method 'bptt' runs in one process; only ES and PES .*'es' or 'pes'/ });
  t.false(existsSync(path.join(options.out, 'checkpoints')));
});
