/**
 * AlphaOpt: learned optimizers and hand-designed baselines for TensorFlow.js.
 *
 * The names a user needs: the backend, update rules and their tfjs adapter, learned optimizers (make, load,
 * save, register a kind), tasks (the shipped ones, register a kind), meta-training, and suites (read, run).
 * Everything else has a subpath of its own: `alphaopt/backend`, `alphaopt/rules`, `alphaopt/codec`,
 * `alphaopt/learned`, `alphaopt/tasks`, `alphaopt/meta`, `alphaopt/suite`, `alphaopt/data`, `alphaopt/models`,
 * and the browser entry `alphaopt/web`.
 *
 * `tf` is the very tfjs instance AlphaOpt uses: import it from here so that your
 * models, tensors and AlphaOpt's optimizers share one engine and one backend.
 */
import tf from '#tfjs';

export { tf };
// The backend.
export { setupBackend, type SetupOptions } from './backend/setup.js';
export { BackendRequest, BackendUnavailableError, type BackendChoice, type ConcreteBackend } from './backend/names.js';
// Update rules, their options' codecs, and the drop-in tfjs optimizer.
export * as rules from './rules/index.js';
export * as codec from './codec/index.js';
export { RuleOptimizer } from './rules/tfjsOptimizer.js';
export { toTfjsOptimizer } from './learned/tfjsOptimizer.js';
export { fileSystemHandler, registerFileHandler, FileHandlerError } from './io/fileHandler.js';
// Learned optimizers.
export type { LearnedOptimizer, MetaTrainReport, MetaTrainPoint, ProgressCallback, JsonValue } from './learned/types.js';
export { saveCheckpoint, CheckpointError } from './learned/checkpoint.js';
export { registerLearnedOptimizer, createLearnedOptimizer, loadLearnedOptimizer, learnedKinds, learnedKind, type LearnedKind } from './learned/registry.js';
export { loadPretrained, pretrainedNames } from './learned/pretrained.js';
export { LearnedTfjsOptimizer, learnedTfjsOptimizer, type LearnedMode } from './learned/tfjsOptimizer.js';
export { LearnedLrSchedule, type LrScheduleOptions } from './learned/lrSchedule.js';
export { LstmOptimizer, type LstmOptions } from './learned/lstm/lstmOptimizer.js';
export { CoordinatePolicy, type CoordinatePolicyOptions } from './learned/policy/coordinatePolicy.js';
export { DqnController, type DqnOptions } from './learned/dqn/index.js';
export { ActorCriticController, type ActorCriticOptions } from './learned/actorCritic/index.js';
// Tasks.
export type { Task, Problem, TaskFamily } from './tasks/types.js';
export { familyOf } from './tasks/types.js';
export { taskFromSpec, type TaskSpec, type TaskContext } from './tasks/registry.js';
export { registerTaskKind, taskKinds, type TaskKind, type TaskCommon } from './tasks/kinds.js';
export { LANDSCAPES, landscapeTask } from './tasks/landscapes.js';
export { randomQuadraticTask } from './tasks/randomQuadratic.js';
export { logisticRegressionTask } from './tasks/logisticRegression.js';
export { robustLinearRegressionTask } from './tasks/robustLinearRegression.js';
export { twoLayerNetTask } from './tasks/twoLayerNet.js';
export { mnistMlpTask } from './tasks/mnistMlp.js';
export { imageClassifierTask } from './tasks/imageClassifier.js';
export { omniglotFewShotTask } from './tasks/omniglotFewShot.js';
// Meta-training (its machinery: alphaopt/meta).
export { metaTrain } from './meta/metaTrain.js';
// Suites.
export { readSuite, decodeSuite, type Suite } from './suite/decode.js';
export { runSuite, type RunOptions, type RunSummary } from './suite/runner.js';
export { SuiteError } from './suite/errors.js';
export type { RunRecord } from './suite/record.js';
