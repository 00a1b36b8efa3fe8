/** `alphaopt/queue`: the Redis/BullMQ queue from code — suites as jobs, workers, and ES/PES populations as jobs (one meta-training's, or a suite's learned optimizer's). */
export { submitSuite, type SubmitOptions } from './submit.js';
export { startWorker, type WorkerOptions } from './worker.js';
export { openQueuedPerturbations, type QueuedPerturbations } from './perturbations.js';
export { metaTrainOnQueue, type QueueMetaTrainOptions } from './metaTrain.js';
