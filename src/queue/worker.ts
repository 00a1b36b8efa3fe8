/**
 * `alphaopt worker`: a BullMQ worker that runs suite jobs (and ES pairs / PES
 * particles of a meta-training elsewhere, src/queue/perturbations.ts) in sandboxed child
 * processes (processor.ts), `concurrency` at a time. BullMQ gives the rest: a
 * job's lock is renewed while it runs; a worker that dies stops renewing it, and
 * another worker's stalled-job check puts the job back in the queue; a job that
 * fails twice is kept as failed with its reason.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'bullmq';
import { DEFAULT_QUEUE, type JobData } from './keys.js';

export interface WorkerOptions {
  redis: string;
  queue?: string;
  /** Jobs at once, each in its own process (default: one per core). */
  concurrency?: number;
  /** A job whose worker has not renewed its lock for this long is taken back (default 30 s). */
  lockMs?: number;
  /** Where checkpoints and meta-training of learned optimizers go on this machine. */
  work?: string;
  name?: string;
  log?: (line: string) => void;
}

const here = fileURLToPath(import.meta.url);
const processorFile = path.join(path.dirname(here), `processor${path.extname(here)}`);

export function startWorker(options: WorkerOptions): Worker<JobData, unknown> {
  const log = options.log ?? (() => undefined);
  const queue = options.queue ?? DEFAULT_QUEUE;
  // The sandboxes inherit these: where Redis is (for suites and checkpoints), which queue, where to write.
  process.env['ALPHAOPT_REDIS'] = options.redis;
  process.env['ALPHAOPT_QUEUE'] = queue;
  process.env['ALPHAOPT_WORK_DIR'] = path.resolve(options.work ?? path.join(os.tmpdir(), 'alphaopt-worker'));
  const lockDuration = options.lockMs ?? 30_000;
  const worker = new Worker<JobData, unknown>(queue, processorFile, {
    connection: { url: options.redis },
    concurrency: options.concurrency ?? os.availableParallelism(),
    lockDuration,
    stalledInterval: lockDuration,
    maxStalledCount: 2,
    name: options.name ?? `${os.hostname()}:${process.pid}`,
  });
  worker.on('active', (job) => log(`started ${job.name}`));
  // A suite job's result is its records; an ES pair's or PES particle's, its meta-losses.
  worker.on('completed', (job, result) => log(`finished ${job.name}${Array.isArray(result) ? ` (${result.length} runs)` : ''}`));
  worker.on('failed', (job, error) => log(`failed ${job?.name ?? '?'} (try ${job?.attemptsMade ?? '?'}): ${error.message}`));
  worker.on('error', (error) => log(`worker error: ${error.message}`));
  return worker;
}
