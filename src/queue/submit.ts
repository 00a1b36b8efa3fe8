/**
 * `alphaopt queue submit`: plans a suite into run groups and adds one BullMQ job per
 * group. Learned optimizers are meta-trained (or loaded) here, once, and their
 * checkpoints uploaded to Redis, so every worker runs the same φ.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Queue } from 'bullmq';
import type { BackendRequest } from '../backend/names.js';
import { setupBackend } from '../backend/setup.js';
import type { Suite } from '../suite/decode.js';
import { planGroups } from '../suite/plan.js';
import { checkpointDir, prepareLearned, prepareTask } from '../suite/prepare.js';
import { sizeForBackend } from '../suite/runner.js';
import { unitOf, type Unit } from '../suite/unit.js';
import type { LearnedOptimizer } from '../learned/index.js';
import { connectRedis } from './redis.js';
import { DEFAULT_QUEUE, checkpointKey, jobId, suiteId, suiteKey, type JobData, type SubmittedSuite } from './keys.js';

export interface SubmitOptions {
  redis: string;
  queue?: string;
  backend?: BackendRequest;
  seeds?: number;
  /** Where learned optimizers are meta-trained (DIR/checkpoints/…), as `alphaopt run --out DIR` would. */
  out: string;
  log?: (line: string) => void;
}

export async function submitSuite(suite: Suite, options: SubmitOptions): Promise<SubmittedSuite> {
  const log = options.log ?? (() => undefined);
  const queueName = options.queue ?? DEFAULT_QUEUE;
  const backend = options.backend ?? suite.backend ?? 'auto';
  const seeds = options.seeds ?? suite.seeds;
  const id = suiteId(suite.raw, seeds, backend);
  if (suite.tuning.mode === 'held-out') throw new Error(`${suite.file}: held-out tuning runs in phases (tune, bracket, then score), which a queue of independent jobs cannot order; run it with \`alphaopt run\`, or set "tuning": {"mode": "scored-seeds"}`);
  const planned = planGroups(suite, seeds, new Set());
  const redis = await connectRedis(options.redis);
  const queue = new Queue<JobData>(queueName, { connection: { url: options.redis } });
  try {
    const learned = suite.optimizers.filter((o) => o.type === 'learned' && (o.checkpoint !== undefined || o.metaTrain !== undefined) && planned.some((g) => g.optimizer === o));
    const choice = await setupBackend(backend);
    const prepared = new Map<string, LearnedOptimizer>();
    for (const plan of suite.optimizers) {
      if (plan.type === 'learned' && planned.some((g) => g.optimizer === plan)) prepared.set(plan.name, await prepareLearned(plan, options.out, log));
    }
    // Jobs are groups sized to this machine's backend memory (workers halve a group that still runs out).
    let units: Unit[];
    try {
      for (const task of suite.tasks) if (planned.some((g) => g.task === task)) await prepareTask(task, { log });
      units = (await sizeForBackend(suite, planned, choice.backend, prepared, { log })).map((g) => unitOf(g, suite.steps));
    } finally {
      for (const optimizer of prepared.values()) optimizer.dispose();
    }
    for (const plan of learned) {
      if (plan.type !== 'learned') continue;
      const dir = checkpointDir(plan, options.out);
      const files: Record<string, Buffer> = {};
      for (const name of await readdir(dir)) files[name] = await readFile(path.join(dir, name));
      await redis.del(checkpointKey(queueName, id, plan.name));
      await redis.hset(checkpointKey(queueName, id, plan.name), files);
    }
    const submitted: SubmittedSuite = {
      id,
      name: suite.name,
      raw: suite.raw,
      file: suite.file,
      backend,
      seeds,
      steps: suite.steps,
      jobIds: units.map((u) => jobId(id, u)),
      runs: units.reduce((n, u) => n + u.rows.length, 0),
      checkpoints: learned.map((o) => o.name),
      submitted: new Date().toISOString(),
    };
    await redis.set(suiteKey(queueName, id), JSON.stringify(submitted));
    // A job id that is already in the queue is not added again: resubmitting is harmless.
    await queue.addBulk(units.map((unit) => ({ name: unit.key, data: { suiteId: id, unit }, opts: { jobId: jobId(id, unit), attempts: 2, removeOnComplete: false, removeOnFail: false } })));
    log(`suite ${suite.name} (id ${id}): ${units.length} jobs, ${submitted.runs} runs on queue '${queueName}'`);
    return submitted;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
