/** Meta-training configuration of the actor-critic controller (the paper's appendix variant: a fixed controller trained over repeated runs). */
import t from '#cjs/io-ts';
import * as values from '../../codec/values.js';
import { decodeWithDefaults } from '../decodeConfig.js';

export const ActorCriticConfig = t.exact(
  t.partial({
    method: t.literal('actor-critic'),
    /** Training runs (episodes), each on fresh meta-train seeds. */
    episodes: values.positiveInt,
    /** Optimizee steps per episode. */
    horizon: values.positiveInt,
    /** Runs in parallel per episode (rows of one batch; one controller learns from all of them). */
    tasksPerEpisode: values.positiveInt,
    validateEvery: values.positiveInt,
    validationTasks: values.positiveInt,
    seed: t.number,
  }),
);
export type ActorCriticConfig = Required<t.TypeOf<typeof ActorCriticConfig>>;

export const ACTOR_CRITIC_CONFIG_DEFAULTS: ActorCriticConfig = {
  method: 'actor-critic',
  episodes: 20,
  horizon: 300,
  tasksPerEpisode: 4,
  validateEvery: 5,
  validationTasks: 4,
  seed: 0,
};

export function decodeActorCriticConfig(input: unknown, path = 'metaTrain'): ActorCriticConfig {
  const config = decodeWithDefaults(ActorCriticConfig, ACTOR_CRITIC_CONFIG_DEFAULTS, input, path);
  return config;
}
