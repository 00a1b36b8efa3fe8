/** Meta-training dispatch: `config.method` picks the meta-gradient estimator; ES with `workers` > 1 evaluates its pairs on a worker pool. */
import type { JsonValue, LearnedOptimizer, MetaTrainReport, ProgressCallback } from '../learned/types.js';
import type { Task, TaskFamily } from '../tasks/types.js';
import { bpttEstimator } from './bptt.js';
import { decodeMetaTrainConfig, type MetaTrainConfig } from './config.js';
import { esEstimator, esEstimatorWith, type PairEvaluator } from './es.js';
import { pesEstimator } from './pes.js';
import { trainTruncated } from './truncated.js';

export type OpenPairPool = (optimizer: LearnedOptimizer, task: Task, config: MetaTrainConfig) => { evaluate: PairEvaluator; close(): void };

/**
 * Worker processes need Node, and this module is in the browser build too: the pool
 * is provided by esPairs.ts when it is loaded (the Node entry points load it).
 */
let openPairPool: OpenPairPool | undefined;

export function provideEsPairPool(open: OpenPairPool): void {
  openPairPool = open;
}

export async function metaTrain(
  optimizer: LearnedOptimizer,
  family: TaskFamily,
  config: Record<string, JsonValue>,
  onProgress?: ProgressCallback,
  defaults: Partial<MetaTrainConfig> = {},
): Promise<MetaTrainReport> {
  const decoded = decodeMetaTrainConfig(config, 'metaTrain', defaults);
  if (decoded.method === 'pes') {
    const pes = pesEstimator();
    try {
      return await trainTruncated(optimizer, family, decoded, pes, onProgress);
    } finally {
      pes.dispose();
    }
  }
  if (decoded.method !== 'es') return trainTruncated(optimizer, family, decoded, bpttEstimator, onProgress);
  if (decoded.workers === 1) return trainTruncated(optimizer, family, decoded, esEstimator, onProgress);
  if (openPairPool === undefined) throw new Error(`metaTrain.workers: ${decoded.workers} worker processes need Node (the 'alphaopt' entry, not 'alphaopt/web'); set workers to 1`);
  const pool = openPairPool(optimizer, family.task, decoded);
  try {
    return await trainTruncated(optimizer, family, decoded, esEstimatorWith(pool.evaluate, { elsewhere: true }), onProgress);
  } finally {
    pool.close();
  }
}
