/** PPO as a registered meta-trainer: it trains the coordinate-wise policy. */
import type { CoordinatePolicy } from '../../learned/policy/coordinatePolicy.js';
import type { MetaTrainer } from '../trainer.js';
import { decodePpoConfig, PPO_DEFAULTS, PpoConfig } from './config.js';
import { trainPpo } from './trainPpo.js';

export const ppoTrainer: MetaTrainer<PpoConfig> = {
  method: 'ppo',
  codec: PpoConfig,
  defaults: PPO_DEFAULTS,
  decode: (input, path) => decodePpoConfig(input, path),
  accepts: (learned) => learned.kind === 'coordinate-policy',
  train: (learned, family, config, onProgress) => trainPpo(learned as unknown as CoordinatePolicy, family, config, onProgress),
};
