/**
 * PES as a registered meta-trainer: truncated meta-training whose estimate follows each particle's own optimizee
 * states across truncations (pes.ts). Its particles hold state, so they run in this process (no worker pool).
 */
import { decodeMetaTrainConfig, META_TRAIN_DEFAULTS, MetaTrainConfig } from '../config.js';
import type { MetaTrainer } from '../trainer.js';
import { trainTruncated } from '../truncated.js';
import { pesEstimator } from './pes.js';

export const pesTrainer: MetaTrainer<MetaTrainConfig> = {
  method: 'pes',
  codec: MetaTrainConfig,
  defaults: { ...META_TRAIN_DEFAULTS, method: 'pes' },
  decode: (input, path, defaults) => decodeMetaTrainConfig(input, path, { ...(defaults as Partial<MetaTrainConfig>), method: 'pes' }),
  accepts: (learned) => learned.differentiable === true,
  async train(learned, family, config, onProgress) {
    const pes = pesEstimator();
    try {
      return await trainTruncated(learned, family, config, pes, onProgress);
    } finally {
      pes.dispose();
    }
  },
};
