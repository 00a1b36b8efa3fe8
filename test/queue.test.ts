/**
 * The Redis/BullMQ queue: a suite submitted, three workers, one killed with SIGKILL
 * while it holds a job; the job is reclaimed by another worker and the collected
 * records equal the single-process run's, one per run.
 */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { collectSuite, IncompleteError } from '../src/queue/collect.js';
import { submitSuite } from '../src/queue/submit.js';
import { decodeSuite } from '../src/suite/decode.js';
import { runKey, type RunRecord, runResult } from '../src/suite/record.js';
import { runSuite } from '../src/suite/runner.js';
import { startRedis } from './helpers/redis.js';

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'alphaopt-queue-'));
const cli = path.resolve('src/cli/index.ts');

async function records(dir: string): Promise<RunRecord[]> {
  const text = await readFile(path.join(dir, 'runs.jsonl'), 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as RunRecord);
}
const numbers = (runs: RunRecord[]) => runs.map(runResult);

async function until<T>(what: string, seconds: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('three workers, one killed mid-job: the job is redone elsewhere, the collected records equal the single-process run', async (t) => {
  const redis = await startRedis();
  const workers: ChildProcess[] = [];
  const queueName = 'test';
  const queue = new Queue(queueName, { connection: { url: redis.url } });
  t.teardown(async () => {
    // Each worker leads its own process group (its sandboxed children are in it).
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) process.kill(-w.pid!, 'SIGKILL');
    await queue.close();
    await redis.stop();
  });

  const suite = decodeSuite(
    {
      name: 'queued',
      backend: 'cpu',
      steps: 400,
      seeds: 2,
      tasks: [{ task: 'rosenbrock' }, { task: 'beale' }],
      optimizers: [
        { name: 'sgd', rule: 'sgd', grid: { learningRate: [1e-3, 1e-2] } },
        { name: 'adam', rule: 'adam' },
        { name: 'clipped sgd', rule: { rule: 'chain', options: { rules: [{ rule: 'clipByGlobalNorm', options: { maxNorm: 1 } }, { rule: 'sgd', options: { learningRate: 0.01 } }] } } },
        // Meta-trained once by submit; the workers run the uploaded checkpoint.
        { name: 'learned', learned: { kind: 'lr-schedule', hyperParams: { horizon: 10 }, metaTrain: { task: { task: 'randomQuadratic', options: { dimension: 2 } }, config: { iterations: 4, unroll: 5, validateEvery: 2 } } } },
      ],
    },
    'queued.json',
  );
  await t.throwsAsync(submitSuite(suite, { redis: 'redis://127.0.0.1:1', out: await tempDir() }), { message: /cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(.*ECONNREFUSED.*\): start redis-server there/ });
  const submitted = await submitSuite(suite, { redis: redis.url, queue: queueName, out: await tempDir() });
  t.is(submitted.jobIds.length, 10);
  t.deepEqual(submitted.checkpoints, ['learned']);
  // Submitting again adds nothing.
  await submitSuite(suite, { redis: redis.url, queue: queueName, out: await tempDir() });
  t.is((await queue.getJobCounts('waiting')).waiting, 10);
  await t.throwsAsync(collectSuite({ redis: redis.url, queue: queueName, suiteId: submitted.id, out: await tempDir() }), { instanceOf: IncompleteError, message: /10 waiting of 10 jobs.*--partial/s });

  const work = await tempDir();
  for (const name of ['w0', 'w1', 'w2']) {
    const args = [...process.execArgv, cli, 'worker', '--redis', redis.url, '--queue', queueName, '--concurrency', '1', '--lock-ms', '1000', '--name', name, '--work', work];
    workers.push(spawn(process.execPath, args, { detached: true, stdio: 'ignore' }));
  }
  const victim = await until('a job on worker w0', 60, async () => (await queue.getActive()).find((job) => job.processedBy === 'w0'));
  process.kill(-workers[0]!.pid!, 'SIGKILL');

  await until('every job to complete', 90, async () => {
    const failed = await queue.getFailed();
    if (failed.length > 0) throw new Error(`jobs failed: ${failed.map((j) => `${j.name}: ${j.failedReason}`).join('; ')}`);
    return (await queue.getJobCounts('completed')).completed === 10 ? true : undefined;
  });
  const redone = (await Job.fromId(queue, victim.id!))!;
  t.not(redone.processedBy, 'w0', 'another worker finished the killed worker\'s job');

  const out = await tempDir();
  await collectSuite({ redis: redis.url, queue: queueName, suiteId: submitted.id, out });
  const got = await records(out);
  const keys = got.map(runKey);
  t.is(new Set(keys).size, keys.length, 'no run twice');
  const reference = await tempDir();
  await runSuite(suite, { out: reference });
  t.deepEqual(numbers(got), numbers(await records(reference)));
});
