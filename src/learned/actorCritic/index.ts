export { ActorCriticController } from './actorCritic.js';
export { ACTOR_CRITIC_DEFAULTS, type ActorCriticOptions, type StateKind } from './options.js';
export { ACTOR_BATCH_OFFSET, feedbackWeight } from './rules.js';
