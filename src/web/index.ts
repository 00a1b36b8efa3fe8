/**
 * AlphaOpt for browsers (`import … from 'alphaopt'` under a bundler's "browser"
 * condition, or `from 'alphaopt/web'`): rules, schedules, the tfjs adapter,
 * learned optimizers (frozen and online, checkpoints by URL), tasks that need no
 * files, and the suite runner's loop. Nothing here reaches a Node built-in.
 */
import tf from '#tfjs';

export { tf };
export { setupWebBackend, WEB_BACKENDS, WebBackendError, type WebBackend, type WebBackendChoice, type WebBackendOptions } from './backend.js';
export * as rules from '../rules/index.js';
export { RuleOptimizer } from '../rules/tfjsOptimizer.js';
export { toTfjsOptimizer } from '../learned/tfjsOptimizer.js';
export type { LearnedOptimizer, MetaTrainReport, MetaTrainPoint, ProgressCallback, JsonValue } from '../learned/types.js';
import '../learned/builtin.js';
export { registerLearnedOptimizer, createLearnedOptimizer, learnedKinds, learnedKind, type LearnedKind } from '../learned/kinds.js';
export { CheckpointError, CHECKPOINT_FORMAT, decodeManifest, Manifest } from '../learned/manifest.js';
export { LearnedLrSchedule, type LrScheduleOptions } from '../learned/lrSchedule.js';
export { LstmOptimizer, type LstmOptions } from '../learned/lstm/lstmOptimizer.js';
export { CoordinatePolicy, type CoordinatePolicyOptions } from '../learned/policy/coordinatePolicy.js';
export { DqnController, type DqnOptions } from '../learned/dqn/index.js';
export { ActorCriticController, type ActorCriticOptions } from '../learned/actorCritic/index.js';
export { loadPretrained, pretrainedNames, checkpointUrl, type LoadPretrainedOptions } from './pretrained.js';
export type { Task, Problem, TaskFamily, LandscapeView } from '../tasks/types.js';
export { familyOf } from '../tasks/types.js';
export { LANDSCAPES, landscapeTask, landscapeStart, type Landscape } from '../tasks/landscapes.js';
export { randomQuadraticTask } from '../tasks/randomQuadratic.js';
export { logisticRegressionTask, type LogisticRegressionOptions } from '../tasks/logisticRegression.js';
export { robustLinearRegressionTask, type RobustLinearRegressionOptions } from '../tasks/robustLinearRegression.js';
export { twoLayerNetTask, type TwoLayerNetOptions } from '../tasks/twoLayerNet.js';
export { runGroup, type GroupSpec, type Row } from '../suite/execute.js';
export type { RunRecord } from '../suite/record.js';
export { raceOnLandscape, findLandscape, startingAt, type RaceOptimizer, type RaceOptions } from './race.js';
