/** Actor-critic (Xu et al.'s appendix variant) as a registered meta-trainer: it trains the actor-critic controller. */
import type { ActorCriticController } from '../../learned/actorCritic/actorCritic.js';
import type { MetaTrainer } from '../trainer.js';
import { ACTOR_CRITIC_CONFIG_DEFAULTS, ActorCriticConfig, decodeActorCriticConfig } from './config.js';
import { trainActorCritic } from './trainActorCritic.js';

export { ACTOR_CRITIC_CONFIG_DEFAULTS, type ActorCriticConfig } from './config.js';

export const actorCriticTrainer: MetaTrainer<ActorCriticConfig> = {
  method: 'actor-critic',
  codec: ActorCriticConfig,
  defaults: ACTOR_CRITIC_CONFIG_DEFAULTS,
  decode: (input, path) => decodeActorCriticConfig(input, path),
  accepts: (learned) => learned.kind === 'actor-critic',
  train: (learned, family, config, onProgress) => trainActorCritic(learned as unknown as ActorCriticController, family, config, onProgress),
};
