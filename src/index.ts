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
export * as codec from './codec/index.js';
export { toTfjsOptimizer, RuleOptimizer } from './rules/tfjsOptimizer.js';
export { fileSystemHandler, registerFileHandler, FileHandlerError } from './io/fileHandler.js';
export { collectProvenance, type Provenance } from './provenance.js';
export * from './learned/index.js';
export * from './tasks/index.js';
export { metaTrain } from './meta/metaTrain.js';
export { decodeMetaTrainConfig, META_TRAIN_DEFAULTS, type MetaTrainConfig } from './meta/config.js';
export { trainTruncated, evaluateRule, type Estimator, type Estimate } from './meta/truncated.js';
export { bpttEstimator } from './meta/bptt.js';
export { esEstimator } from './meta/es.js';
// Also lets metaTrain run ES pairs on worker processes (`workers` > 1), which the browser build cannot.
export { openEsPairPool } from './meta/esPairs.js';
export { unroll, objective } from './meta/objective.js';
export { stopGradient } from './meta/stopGradient.js';
export { readSuite, decodeSuite, type Suite } from './suite/decode.js';
export { runSuite, type RunOptions, type RunSummary } from './suite/runner.js';
export { RunRecord, runKey } from './suite/record.js';
export { planGroups, sizeGroups, splitGroup, type Group, type SizingOptions } from './suite/plan.js';
export { measurePeakBytes, probeRowFootprint, estimateGroupBytes, rowsThatFit, SAFETY_FRACTION, type RowFootprint, type GroupSize } from './suite/sizing.js';
export { runHalvingOnFailure, isOutOfMemory, type HalvingHooks } from './suite/retry.js';
export { SuiteError } from './suite/errors.js';
export { trainPpo, validatePolicy } from './meta/ppo/trainPpo.js';
export { decodePpoConfig, PPO_DEFAULTS, type PpoConfig } from './meta/ppo/config.js';
export { trainMamlInitialization, decodeMamlConfig, MAML_DEFAULTS, type MamlConfig, type MamlResult } from './meta/maml.js';
export { saveMamlInitialization, loadMamlInitialization } from './meta/mamlCheckpoint.js';
export { CATALOG as DATASETS, datasetEntry, type DatasetEntry, type RemoteFile } from './data/catalog.js';
export { locateDataset, dataDirectories, cacheDirectory, MissingDataError } from './data/locate.js';
export { fetchDataset, downloadVerified, ChecksumError } from './data/download.js';
export { loadMnistLike, type ImageDataset } from './data/mnist.js';
export { loadCifar10, parseCifar10Batch, CIFAR10_CLASSES } from './data/cifar10.js';
export { loadOmniglot, decodeDrawing, type OmniglotCharacter, type OmniglotSplit } from './data/omniglot.js';
