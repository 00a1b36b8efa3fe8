/** Truncated BPTT as a registered meta-trainer: any learned optimizer whose rule is differentiable in φ. */
import { decodeMetaTrainConfig, META_TRAIN_DEFAULTS, MetaTrainConfig } from '../config.js';
import type { MetaTrainer } from '../trainer.js';
import { trainTruncated } from '../truncated.js';
import { bpttEstimator } from './bptt.js';

export const bpttTrainer: MetaTrainer<MetaTrainConfig> = {
  method: 'bptt',
  codec: MetaTrainConfig,
  defaults: META_TRAIN_DEFAULTS,
  decode: (input, path, defaults) => decodeMetaTrainConfig(input, path, defaults as Partial<MetaTrainConfig>),
  accepts: (learned) => learned.differentiable === true,
  train: (learned, family, config, onProgress) => trainTruncated(learned, family, config, bpttEstimator, onProgress),
};
