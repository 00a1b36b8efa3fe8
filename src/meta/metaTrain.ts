/** Meta-training dispatch: `config.method` picks the meta-gradient estimator. */
import type { JsonValue, LearnedOptimizer, MetaTrainReport, ProgressCallback } from '../learned/types.js';
import type { TaskFamily } from '../tasks/types.js';
import { bpttEstimator } from './bptt.js';
import { decodeMetaTrainConfig, type MetaTrainConfig } from './config.js';
import { esEstimator } from './es.js';
import { trainTruncated } from './truncated.js';

export function metaTrain(
  optimizer: LearnedOptimizer,
  family: TaskFamily,
  config: Record<string, JsonValue>,
  onProgress?: ProgressCallback,
  defaults: Partial<MetaTrainConfig> = {},
): Promise<MetaTrainReport> {
  const decoded = decodeMetaTrainConfig(config, 'metaTrain', defaults);
  return trainTruncated(optimizer, family, decoded, decoded.method === 'es' ? esEstimator : bpttEstimator, onProgress);
}
