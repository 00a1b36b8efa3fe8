/**
 * ES pairs and PES particles as BullMQ jobs: meta-training in this process, its
 * population evaluated by `alphaopt worker`s on any number of machines. Each
 * iteration's pairs (or particles) are one job each, the units the local pool runs
 * (esPairs.ts, pesParticles.ts) with the context every worker needs in the job; the
 * workers' sandboxes run them with the pool's handlers (processor.ts). Results are
 * combined in index order here, so the meta-parameters are the same bit for bit as in
 * one process. A job id names the meta-training, the iteration and the index: a job
 * redone after a worker's death (BullMQ's stalled-job check) is still one job with
 * one result.
 */
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import type { LearnedOptimizer } from '../learned/types.js';
import type { MetaTrainConfig } from '../meta/config.js';
import type { PairEvaluator } from '../meta/es/es.js';
import { esPairUnits, lossOf, perturbationContext, type EsPairContext, type EsPairUnit } from '../meta/es/esUnits.js';
import type { ParticleEvaluator } from '../meta/pes/pes.js';
import { applyParticleResult, pesParticleUnits, type PesParticleResult, type PesParticleUnit } from '../meta/pes/pesUnits.js';
import type { Task } from '../tasks/types.js';
import { DEFAULT_QUEUE, type PerturbationJobData } from './keys.js';

export interface QueuedPerturbations {
  /** For es.ts's `esEstimatorWith(…, { elsewhere: true })`. */
  evaluatePairs: PairEvaluator;
  /** For pes.ts's `pesEstimator(…, { elsewhere: true })`. */
  evaluateParticles: ParticleEvaluator;
  close(): Promise<void>;
}

export async function openQueuedPerturbations(
  options: { redis: string; queue?: string; /** A job not finished after this long fails meta-training (default: none). */ timeoutMs?: number },
  optimizer: LearnedOptimizer,
  task: Task,
  config: MetaTrainConfig,
): Promise<QueuedPerturbations> {
  const context: EsPairContext = perturbationContext(optimizer, task, config, 'queued perturbations');
  const name = options.queue ?? DEFAULT_QUEUE;
  const queue = new Queue<PerturbationJobData>(name, { connection: { url: options.redis } });
  const events = new QueueEvents(name, { connection: { url: options.redis } });
  await events.waitUntilReady();
  // One meta-training's jobs: unique to it, the same id for a job however often it is redone.
  const run = randomUUID().slice(0, 12);
  const names = [...optimizer.metaParams.keys()];

  async function runJobs<U extends EsPairUnit | PesParticleUnit, R>(kind: PerturbationJobData['kind'], units: U[], index: (unit: U) => number): Promise<R[]> {
    const jobs = await queue.addBulk(
      units.map((unit) => ({
        name: unit.key,
        data: { kind, context, unit },
        // Kept an hour after completion: waiting for a job that finished first reads its result from Redis.
        opts: { jobId: `${run}-${kind}-${unit.iteration}-${index(unit)}`, attempts: 2, removeOnComplete: { age: 3600 }, removeOnFail: { age: 24 * 3600 } },
      })),
    );
    return Promise.all(
      jobs.map(async (job) => {
        try {
          return (await job.waitUntilFinished(events, options.timeoutMs)) as R;
        } catch (error) {
          throw new Error(`${job.name} (job ${job.id} on queue '${name}') failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
    );
  }

  return {
    evaluatePairs: async (args) => {
      const results = await runJobs<EsPairUnit, { plus: number | null; minus: number | null }>('esPair', await esPairUnits(names, args), (u) => u.pair);
      return results.map((r) => ({ plus: lossOf(r.plus), minus: lossOf(r.minus) }));
    },
    evaluateParticles: async (args, particles) => {
      const units = await pesParticleUnits(names, args, particles);
      const results = await runJobs<PesParticleUnit, PesParticleResult>('pesParticle', units, (u) => u.particle);
      return units.map((unit, i) => applyParticleResult(particles, unit, results[i]!));
    },
    async close() {
      await events.close();
      await queue.close();
    },
  };
}
