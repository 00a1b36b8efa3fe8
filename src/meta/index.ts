/**
 * `alphaopt/meta`: the meta-training machinery behind `metaTrain` — the registry of meta-trainers (truncated BPTT,
 * ES, PPO, DQN, actor-critic, MAML), their estimators and configs, unrolls, and the ES worker pool.
 */
export { metaTrain, decodeMetaTraining, trainDecoded, type MetaTraining } from './metaTrain.js';
export { metaTrainers, metaTrainerFor, metaTrainerNamed } from './registry.js';
export type { MetaTrainer } from './trainer.js';
export { decodeMetaTrainConfig, META_TRAIN_DEFAULTS, type MetaTrainConfig } from './config.js';
export { trainTruncated, type Estimator, type Estimate } from './truncated.js';
export { bpttEstimator } from './bptt/bptt.js';
export { esEstimator, esEstimatorWith } from './es/es.js';
export { pesEstimator } from './pes/pes.js';
// Also lets metaTrain run ES pairs on worker processes (`workers` > 1), which the browser build cannot.
export { openEsPairPool } from './es/esPairs.js';
export { openPesParticlePool } from './pes/pesParticles.js';
export { unroll, objective, objectiveScore } from './objective.js';
export { stopGradient } from '../loop/stopGradient.js';
export { scoreRule, finalLossScore, lastQuarterScore, type RuleScore, type CurveScore } from '../loop/score.js';
export { trainPpo } from './ppo/trainPpo.js';
export { decodePpoConfig, PPO_DEFAULTS, type PpoConfig } from './ppo/config.js';
export { DQN_DEFAULTS, type DqnConfig } from './dqn/index.js';
export { ACTOR_CRITIC_CONFIG_DEFAULTS, type ActorCriticConfig } from './actorCritic/index.js';
export { trainMamlInitialization, decodeMamlConfig, MAML_DEFAULTS, type MamlConfig, type MamlResult } from './maml/maml.js';
export { saveMamlInitialization, loadMamlInitialization } from './maml/mamlCheckpoint.js';
