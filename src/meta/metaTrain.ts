/** Meta-training dispatch: `config.method` picks the meta-gradient estimator; ES with `workers` > 1 evaluates its pairs on a worker pool. */
import type { JsonValue, LearnedOptimizer, MetaTrainReport, ProgressCallback } from '../learned/types.js';
import type { TaskFamily } from '../tasks/types.js';
import { bpttEstimator } from './bptt.js';
import { decodeMetaTrainConfig, type MetaTrainConfig } from './config.js';
import { esEstimator, esEstimatorWith } from './es.js';
import { openEsPairPool } from './esPairs.js';
import { trainTruncated } from './truncated.js';

export async function metaTrain(
  optimizer: LearnedOptimizer,
  family: TaskFamily,
  config: Record<string, JsonValue>,
  onProgress?: ProgressCallback,
  defaults: Partial<MetaTrainConfig> = {},
): Promise<MetaTrainReport> {
  const decoded = decodeMetaTrainConfig(config, 'metaTrain', defaults);
  if (decoded.method !== 'es') return trainTruncated(optimizer, family, decoded, bpttEstimator, onProgress);
  if (decoded.workers === 1) return trainTruncated(optimizer, family, decoded, esEstimator, onProgress);
  const pool = openEsPairPool(optimizer, family.task, decoded);
  try {
    return await trainTruncated(optimizer, family, decoded, esEstimatorWith(pool.evaluate, { elsewhere: true }), onProgress);
  } finally {
    pool.close();
  }
}
