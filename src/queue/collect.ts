/**
 * `alphaopt queue status` and `alphaopt queue collect`: where a submitted suite's
 * jobs are, and its records gathered from the completed jobs' results into a
 * results folder — one record per run key, in plan order — with its report.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { collectProvenance } from '../provenance.js';
import { decodeSuite } from '../suite/decode.js';
import { inPlanOrder } from '../suite/order.js';
import { runKey, type RunRecord } from '../suite/record.js';
import { writeMetaTraining } from '../suite/runner.js';
import { openStore } from '../suite/store.js';
import type { Redis } from 'ioredis';
import { connectRedis } from './redis.js';
import { DEFAULT_QUEUE, suiteKey, type JobData, type SubmittedSuite } from './keys.js';

export interface SuiteProgress {
  suite: SubmittedSuite;
  /** Jobs by state: waiting, active, completed, failed, delayed, … (and `missing` for jobs removed from Redis). */
  jobs: Record<string, number>;
  runsDone: number;
  failed: Array<{ key: string; reason: string }>;
  /** Workers (their names) that completed jobs. */
  workers: string[];
}

async function withQueue<T>(redisUrl: string, queueName: string, fn: (queue: Queue<JobData>, redis: Redis) => Promise<T>): Promise<T> {
  const redis = await connectRedis(redisUrl);
  const queue = new Queue<JobData>(queueName, { connection: { url: redisUrl } });
  try {
    return await fn(queue, redis);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

async function progressOf(queue: Queue<JobData>, suite: SubmittedSuite): Promise<SuiteProgress & { records: RunRecord[] }> {
  const jobs: Record<string, number> = {};
  const records: RunRecord[] = [];
  const failed: Array<{ key: string; reason: string }> = [];
  const workers = new Set<string>();
  for (const id of suite.jobIds) {
    const job = (await Job.fromId(queue, id)) as Job<JobData, RunRecord[]> | undefined;
    const state = job === undefined ? 'missing' : await job.getState();
    jobs[state] = (jobs[state] ?? 0) + 1;
    if (job === undefined) continue;
    if (state === 'completed') {
      records.push(...job.returnvalue);
      if (job.processedBy !== undefined) workers.add(job.processedBy);
    }
    if (state === 'failed') failed.push({ key: job.name, reason: job.failedReason });
  }
  return { suite, jobs, runsDone: records.length, failed, workers: [...workers].sort(), records };
}

async function submitted(redis: Redis, queueName: string, id: string): Promise<SubmittedSuite> {
  const text = await redis.get(suiteKey(queueName, id));
  if (text === null) throw new Error(`no suite with id ${id} on queue '${queueName}' (key ${suiteKey(queueName, id)}): submit it first with alphaopt queue submit, with the same --seeds and --backend`);
  return JSON.parse(text) as SubmittedSuite;
}

export async function queueStatus(options: { redis: string; queue?: string; suiteId: string }): Promise<SuiteProgress> {
  const queueName = options.queue ?? DEFAULT_QUEUE;
  return withQueue(options.redis, queueName, async (queue, redis) => {
    const { records: _, ...progress } = await progressOf(queue, await submitted(redis, queueName, options.suiteId));
    return progress;
  });
}

export class IncompleteError extends Error {
  constructor(progress: SuiteProgress) {
    super(
      `suite ${progress.suite.name} (id ${progress.suite.id}) is not finished: ${Object.entries(progress.jobs).map(([state, n]) => `${n} ${state}`).join(', ')} of ${progress.suite.jobIds.length} jobs` +
        (progress.failed.length > 0 ? `\n${progress.failed.map((f) => `  - failed: ${f.key}: ${f.reason}`).join('\n')}` : '') +
        `\nwait for the workers (alphaopt queue status), or pass --partial to collect what is done`,
    );
    this.name = 'IncompleteError';
  }
}

export async function collectSuite(options: { redis: string; queue?: string; suiteId: string; out: string; partial?: boolean; command?: string }): Promise<SuiteProgress & { written: number }> {
  const queueName = options.queue ?? DEFAULT_QUEUE;
  return withQueue(options.redis, queueName, async (queue, redis) => {
    const found = await submitted(redis, queueName, options.suiteId);
    const { records, ...progress } = await progressOf(queue, found);
    if ((progress.jobs['completed'] ?? 0) < found.jobIds.length && options.partial !== true) throw new IncompleteError(progress);
    const suite = decodeSuite(found.raw, found.file);
    // At-least-once delivery: a run is kept once, whatever number of times it was done.
    const byKey = new Map(records.map((r) => [runKey(r), r]));
    const store = await openStore(options.out, { resume: false });
    await store.append(inPlanOrder(suite, [...byKey.values()]));
    await writeFile(path.join(options.out, 'suite.json'), `${JSON.stringify(found.raw, null, 2)}\n`);
    const provenance = {
      ...collectProvenance(records[0]?.backend ?? String(found.backend), undefined, options.command),
      suite: found.file,
      seeds: found.seeds,
      steps: found.steps,
      queue: { name: queueName, suiteId: found.id, submitted: found.submitted, jobs: found.jobIds.length, workers: progress.workers },
    };
    await writeFile(path.join(options.out, 'provenance.json'), `${JSON.stringify(provenance, null, 2)}\n`);
    await writeMetaTraining(suite, options.out);
    return { ...progress, written: byKey.size };
  });
}
