/** `alphaopt/models`: the reference models the benchmarks and memory probes train, and one training step. */
export { mnistCnn, mnistMlp } from './mnistCnn.js';
export { trainingStep, randomBatch, type Batch } from './trainingStep.js';
