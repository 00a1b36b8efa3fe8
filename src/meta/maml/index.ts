/**
 * MAML as a registered meta-trainer. It learns a task's initialisation θ₀, not a
 * learned optimizer's φ (it accepts none): the suite's prepare step reaches it through
 * the tasks whose start it trains (an Omniglot task's `maml` option).
 */
import type { MetaTrainer } from '../trainer.js';
import { decodeMamlConfig, MAML_DEFAULTS, MamlConfig, trainMamlInitialization, type MamlResult } from './maml.js';

export const mamlTrainer: MetaTrainer<MamlConfig, Float32Array, MamlResult> = {
  method: 'maml',
  codec: MamlConfig,
  defaults: MAML_DEFAULTS,
  decode: (input, path) => decodeMamlConfig(input, path),
  accepts: () => false,
  train: (start, family, config, onProgress) => trainMamlInitialization(family, start, config, onProgress),
};
