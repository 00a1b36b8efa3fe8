/**
 * PES as a registered meta-trainer: truncated meta-training whose estimate follows each particle's own optimizee
 * states across truncations (pes.ts). With `workers` > 1 its particles advance on a worker pool
 * (pesParticles.ts, which needs Node), their states shipped both ways.
 */
import type { LearnedOptimizer } from '../../learned/types.js';
import type { Task } from '../../tasks/types.js';
import { decodeMetaTrainConfig, META_TRAIN_DEFAULTS, MetaTrainConfig } from '../config.js';
import type { MetaTrainer } from '../trainer.js';
import { trainTruncated } from '../truncated.js';
import { pesEstimator, type ParticleEvaluator } from './pes.js';

export type OpenParticlePool = (optimizer: LearnedOptimizer, task: Task, config: MetaTrainConfig) => { evaluate: ParticleEvaluator; close(): void };

/** Provided by pesParticles.ts when it is loaded (the Node entry points load it): this module is in the browser build too. */
let openParticlePool: OpenParticlePool | undefined;

export function providePesParticlePool(open: OpenParticlePool): void {
  openParticlePool = open;
}

export const pesTrainer: MetaTrainer<MetaTrainConfig> = {
  method: 'pes',
  codec: MetaTrainConfig,
  defaults: { ...META_TRAIN_DEFAULTS, method: 'pes' },
  decode: (input, path, defaults) => decodeMetaTrainConfig(input, path, { ...(defaults as Partial<MetaTrainConfig>), method: 'pes' }),
  accepts: (learned) => learned.differentiable === true,
  async train(learned, family, config, onProgress) {
    if (config.workers > 1 && openParticlePool === undefined) throw new Error(`metaTrain.workers: ${config.workers} worker processes need Node (the 'alphaopt' entry, not 'alphaopt/web'); set workers to 1`);
    const pool = config.workers > 1 ? openParticlePool!(learned, family.task, config) : undefined;
    const pes = pool === undefined ? pesEstimator() : pesEstimator(pool.evaluate, { elsewhere: true });
    try {
      return await trainTruncated(learned, family, config, pes, onProgress);
    } finally {
      pes.dispose();
      pool?.close();
    }
  },
};
