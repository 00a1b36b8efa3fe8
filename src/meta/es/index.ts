/**
 * ES as a registered meta-trainer (antithetic pairs on the truncated loop); with
 * `workers` > 1 its pairs are evaluated on a worker pool, which needs Node.
 */
import type { LearnedOptimizer } from '../../learned/types.js';
import type { Task } from '../../tasks/types.js';
import { decodeMetaTrainConfig, META_TRAIN_DEFAULTS, MetaTrainConfig } from '../config.js';
import type { MetaTrainer } from '../trainer.js';
import { trainTruncated } from '../truncated.js';
import { esEstimator, esEstimatorWith, type PairEvaluator } from './es.js';

export type OpenPairPool = (optimizer: LearnedOptimizer, task: Task, config: MetaTrainConfig) => { evaluate: PairEvaluator; close(): void };

/**
 * Worker processes need Node, and this module is in the browser build too: the pool
 * is provided by esPairs.ts when it is loaded (the Node entry points load it).
 */
let openPairPool: OpenPairPool | undefined;

export function provideEsPairPool(open: OpenPairPool): void {
  openPairPool = open;
}

export const esTrainer: MetaTrainer<MetaTrainConfig> = {
  method: 'es',
  codec: MetaTrainConfig,
  defaults: { ...META_TRAIN_DEFAULTS, method: 'es' },
  decode: (input, path, defaults) => decodeMetaTrainConfig(input, path, { ...(defaults as Partial<MetaTrainConfig>), method: 'es' }),
  accepts: (learned) => learned.differentiable === true,
  async train(learned, family, config, onProgress) {
    if (config.workers === 1) return trainTruncated(learned, family, config, esEstimator, onProgress);
    if (openPairPool === undefined) throw new Error(`metaTrain.workers: ${config.workers} worker processes need Node (the 'alphaopt' entry, not 'alphaopt/web'); set workers to 1`);
    const pool = openPairPool(learned, family.task, config);
    try {
      return await trainTruncated(learned, family, config, esEstimatorWith(pool.evaluate, { elsewhere: true }), onProgress);
    } finally {
      pool.close();
    }
  },
};
