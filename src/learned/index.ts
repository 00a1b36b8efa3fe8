export type { LearnedOptimizer, MetaTrainReport, MetaTrainPoint, ProgressCallback, JsonValue } from './types.js';
export { saveCheckpoint, readManifest, CheckpointError, CHECKPOINT_FORMAT } from './checkpoint.js';
export { registerLearnedOptimizer, createLearnedOptimizer, loadLearnedOptimizer, learnedKinds } from './registry.js';
export { LearnedLrSchedule, type LrScheduleOptions } from './lrSchedule.js';
export { LstmOptimizer, type LstmOptions } from './lstm/lstmOptimizer.js';
export { preprocessGradient } from './lstm/preprocess.js';
export { loadPretrained, pretrainedNames, PRETRAINED_DIR } from './pretrained.js';
export { CoordinatePolicy, POLICY_DEFAULTS, type CoordinatePolicyOptions, type ActionSpace } from './policy/coordinatePolicy.js';
export { DqnController, DQN_OPTION_DEFAULTS, DQN_DEFAULTS, type DqnOptions, type DqnConfig } from './dqn/index.js';
