/**
 * `alphaopt queue meta-train`: a suite's learned optimizer meta-trained by ES or PES in
 * this process, its population (an iteration's pairs or particles) evaluated as BullMQ
 * jobs by `alphaopt worker`s on any number of machines (perturbations.ts). The
 * checkpoint and its metatrain.json are saved where `alphaopt run --out DIR` and
 * `alphaopt queue submit --out DIR` load them (prepare.ts's metaTrainAndSave, the
 * runner's own), and its meta-parameters are those of meta-training in one process,
 * bit for bit.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { MetaTrainConfig } from '../meta/config.js';
import { esEstimatorWith } from '../meta/es/es.js';
import { pesEstimator } from '../meta/pes/pes.js';
import { trainTruncated } from '../meta/truncated.js';
import type { MetaTrainReport } from '../learned/index.js';
import { fingerprintOf } from '../suite/checkpointReuse.js';
import type { Suite } from '../suite/decode.js';
import { checkpointDir, metaTrainAndSave } from '../suite/prepare.js';
import { openQueuedPerturbations } from './perturbations.js';

export interface QueueMetaTrainOptions {
  redis: string;
  queue?: string;
  /** The results folder whose checkpoints/ the optimizer is saved in (as `alphaopt run --out`). */
  out: string;
  log?: (line: string) => void;
  /** A job not finished after this long stops meta-training (default: none). */
  timeoutMs?: number;
}

/** Meta-trains the suite's learned optimizer `name` with its population on the queue; the checkpoint's folder and the report back. */
export async function metaTrainOnQueue(suite: Suite, name: string, options: QueueMetaTrainOptions): Promise<{ dir: string; report: MetaTrainReport }> {
  const learned = suite.optimizers.filter((o) => o.type === 'learned');
  const plan = learned.find((o) => o.name === name);
  if (plan === undefined || plan.type !== 'learned') throw new Error(`${suite.file}: no learned optimizer named '${name}' (its learned optimizers: ${learned.map((o) => `'${o.name}'`).join(', ') || 'none'})`);
  const method = plan.metaTrain?.training.method;
  if (method !== 'es' && method !== 'pes') {
    throw new Error(`${name}: ${method === undefined ? 'no metaTrain config' : `metaTrain method '${method}' runs in one process`}; only ES and PES evaluate their population on the queue (set metaTrain.config.method to 'es' or 'pes', or meta-train with alphaopt run)`);
  }
  const dir = checkpointDir(plan, options.out);
  if (existsSync(path.join(dir, 'manifest.json'))) throw new Error(`${name}: a checkpoint is already at ${dir} (alphaopt run --out ${options.out} loads it); remove it, or pick another --out, to meta-train again`);
  let report: MetaTrainReport | undefined;
  const optimizer = await metaTrainAndSave(plan, options.out, options.log ?? (() => undefined), await fingerprintOf(suite, plan), async (optimizer, family, training, onProgress) => {
    const config = training.config as MetaTrainConfig;
    const queued = await openQueuedPerturbations({ redis: options.redis, ...(options.queue === undefined ? {} : { queue: options.queue }), ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) }, optimizer, family.task, config);
    const pes = method === 'pes' ? pesEstimator(queued.evaluateParticles, { elsewhere: true }) : undefined;
    try {
      report = await trainTruncated(optimizer, family, config, pes ?? esEstimatorWith(queued.evaluatePairs, { elsewhere: true }), onProgress);
      return report;
    } finally {
      pes?.dispose();
      await queued.close();
    }
  });
  optimizer.dispose();
  return { dir, report: report! };
}
