/**
 * The BullMQ sandboxed processor: BullMQ runs it in a child process of
 * `alphaopt worker`, so the worker's own event loop keeps renewing the job's lock
 * while this process computes, and a crash here fails only the job. One UnitRunner
 * per suite, kept between jobs; checkpoints are fetched from Redis once.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SandboxedJob } from 'bullmq';
import { silenceCpuBanner } from '../backend/setup.js';
import { UnitRunner } from '../suite/unitRunner.js';
import { connectRedis } from './redis.js';
import { checkpointKey, suiteKey, type JobData, type PerturbationJobData, type SubmittedSuite } from './keys.js';
import { HANDLERS, type UnitHandler } from '../pool/handlers.js';

silenceCpuBanner();
const runners = new Map<string, Promise<UnitRunner>>();

async function openRunner(queueName: string, id: string): Promise<UnitRunner> {
  const redis = await connectRedis(process.env['ALPHAOPT_REDIS']!);
  try {
    const text = await redis.get(suiteKey(queueName, id));
    if (text === null) throw new Error(`suite ${id} is not in Redis (key ${suiteKey(queueName, id)}): submit it again with alphaopt queue submit`);
    const suite = JSON.parse(text) as SubmittedSuite;
    const out = path.join(process.env['ALPHAOPT_WORK_DIR']!, id);
    const checkpoints: Record<string, string> = {};
    for (const name of suite.checkpoints) {
      // One copy per process: sandboxes on one machine never write the same folder.
      const dir = path.join(out, `checkpoints-${process.pid}`, name.replace(/[^A-Za-z0-9_-]+/g, '_'));
      await mkdir(dir, { recursive: true });
      const files = await redis.hgetallBuffer(checkpointKey(queueName, id, name));
      for (const [file, bytes] of Object.entries(files)) await writeFile(path.join(dir, file), bytes);
      checkpoints[name] = dir;
    }
    return await UnitRunner.open({ suiteRaw: suite.raw, suiteFile: suite.file, backend: suite.backend, checkpoints, out });
  } finally {
    redis.disconnect();
  }
}

/** ES pairs' and PES particles' handlers (the pool's), one per meta-training context, kept between jobs. */
const perturbationHandlers = new Map<string, Promise<UnitHandler>>();

async function runPerturbation(data: PerturbationJobData): Promise<unknown> {
  const id = JSON.stringify([data.kind, data.context]);
  let handler = perturbationHandlers.get(id);
  if (handler === undefined) {
    handler = HANDLERS[data.kind](data.context);
    perturbationHandlers.set(id, handler);
    handler.catch(() => perturbationHandlers.delete(id));
  }
  return (await handler).run(data.unit);
}

export default async function process_(job: SandboxedJob<JobData, unknown>): Promise<unknown> {
  if ('kind' in job.data) return runPerturbation(job.data);
  const { suiteId, unit } = job.data;
  const queueName = process.env['ALPHAOPT_QUEUE']!;
  let runner = runners.get(suiteId);
  if (runner === undefined) {
    runner = openRunner(queueName, suiteId);
    runners.set(suiteId, runner);
    runner.catch(() => runners.delete(suiteId));
  }
  return (await runner).run(unit);
}
