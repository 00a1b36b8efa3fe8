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
export { toTfjsOptimizer, RuleOptimizer } from './rules/tfjsOptimizer.js';
export { collectProvenance, type Provenance } from './provenance.js';
