/** `alphaopt/queue`: the Redis/BullMQ queue from code — suites as jobs, workers, and ES/PES populations as jobs. */
export { submitSuite, type SubmitOptions } from './submit.js';
export { startWorker, type WorkerOptions } from './worker.js';
export { openQueuedPerturbations, type QueuedPerturbations } from './perturbations.js';
