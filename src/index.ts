/**
 * AlphaOpt: learned optimizers and hand-designed baselines for TensorFlow.js.
 *
 * `tf` is the very tfjs instance AlphaOpt uses: import it from here so that your
 * models, tensors and AlphaOpt's optimizers share one engine and one backend.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export * from './backend/index.js';
export { mnistCnn, mnistMlp } from './models/mnistCnn.js';
export { trainingStep, randomBatch, type Batch } from './models/trainingStep.js';
export * as rules from './rules/index.js';
export { RuleOptimizer } from './rules/tfjsOptimizer.js';
export { toTfjsOptimizer } from './learned/tfjsOptimizer.js';
export { fileSystemHandler, registerFileHandler, FileHandlerError } from './io/fileHandler.js';
export { collectProvenance, type Provenance } from './provenance.js';
export * from './learned/index.js';
export * from './tasks/index.js';
export { metaTrain, decodeMetaTraining, trainDecoded, type MetaTraining } from './meta/metaTrain.js';
export { metaTrainers, metaTrainerFor, metaTrainerNamed } from './meta/registry.js';
export type { MetaTrainer } from './meta/trainer.js';
export { DQN_DEFAULTS, type DqnConfig } from './meta/dqn/index.js';
export { ACTOR_CRITIC_CONFIG_DEFAULTS, type ActorCriticConfig } from './meta/actorCritic/index.js';
export { decodeMetaTrainConfig, META_TRAIN_DEFAULTS, type MetaTrainConfig } from './meta/config.js';
export { trainTruncated, type Estimator, type Estimate } from './meta/truncated.js';
export { scoreRule, finalLossScore, lastQuarterScore, type RuleScore, type CurveScore } from './loop/score.js';
export { bpttEstimator } from './meta/bptt/bptt.js';
export { esEstimator } from './meta/es/es.js';
// Also lets metaTrain run ES pairs on worker processes (`workers` > 1), which the browser build cannot.
export { openEsPairPool } from './meta/es/esPairs.js';
export { unroll, objective, objectiveScore } from './meta/objective.js';
export { stopGradient } from './loop/stopGradient.js';
export { readSuite, decodeSuite, type Suite } from './suite/decode.js';
export { runSuite, type RunOptions, type RunSummary } from './suite/runner.js';
export { RunRecord, runKey } from './suite/record.js';
export { planGroups, sizeGroups, splitGroup, type Group, type SizingOptions } from './suite/plan.js';
export { measurePeakBytes, probeRowFootprint, estimateGroupBytes, rowsThatFit, SAFETY_FRACTION, type RowFootprint, type GroupSize } from './suite/sizing.js';
export { runHalvingOnFailure, isOutOfMemory, type HalvingHooks } from './suite/retry.js';
export { SuiteError } from './suite/errors.js';
export { trainPpo } from './meta/ppo/trainPpo.js';
export { decodePpoConfig, PPO_DEFAULTS, type PpoConfig } from './meta/ppo/config.js';
export { trainMamlInitialization, decodeMamlConfig, MAML_DEFAULTS, type MamlConfig, type MamlResult } from './meta/maml/maml.js';
export { saveMamlInitialization, loadMamlInitialization } from './meta/maml/mamlCheckpoint.js';
export { CATALOG as DATASETS, datasetEntry, type DatasetEntry, type RemoteFile } from './data/catalog.js';
export { locateDataset, dataDirectories, cacheDirectory, MissingDataError } from './data/locate.js';
export { fetchDataset, downloadVerified, ChecksumError } from './data/download.js';
export { loadMnistLike, type ImageDataset } from './data/mnist.js';
export { loadCifar10, parseCifar10Batch, CIFAR10_CLASSES } from './data/cifar10.js';
export { loadOmniglot, decodeDrawing, type OmniglotCharacter, type OmniglotSplit } from './data/omniglot.js';
