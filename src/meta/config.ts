/** Meta-training configuration shared by the truncated meta-gradient estimators (BPTT, ES). */
import t from '#cjs/io-ts';
import * as values from '../codec/values.js';
import { decodeWithDefaults } from './decodeConfig.js';

export const MetaTrainConfig = t.exact(
  t.partial({
    method: t.keyof({ bptt: null, es: null, pes: null }),
    iterations: values.positiveInt,
    unroll: values.positiveInt,
    horizon: values.positiveInt,
    tasksPerIteration: values.positiveInt,
    metaLearningRate: t.number,
    /** Global-norm clipping of the meta-gradient; 0: none (the reference code does not clip). */
    clipNorm: t.number,
    metaLoss: t.keyof({ sum: null, log: null }),
    /** 'uniform' (the paper: wₜ = 1) or 'linear' (the loss after step s of the horizon weighs 2s/(H + 1): later steps count more, when the final loss is the target). */
    stepWeighting: t.keyof({ uniform: null, linear: null }),
    /** BPTT: treat the optimizee gradient as a constant (∂∇/∂φ = 0, the paper's assumption). */
    firstOrder: t.boolean,
    /** ES and PES: perturbation scale σ and number of antithetic pairs per iteration (PES: persistent particles). */
    sigma: t.number,
    pairs: values.positiveInt,
    /** ES: worker processes that evaluate the pairs (1: in this process); the result is the same for any count. */
    workers: values.positiveInt,
    validateEvery: values.positiveInt,
    validationTasks: values.positiveInt,
    seed: t.number,
    /**
     * MiB the tasks of one truncation may use (like the suite runner's --memory-limit); absent: the backend's own
     * (the 4 GiB wasm heap, the machine's memory). BPTT unrolls the tasks in micro-batches that fit; results do not change.
     */
    memoryLimit: t.number,
  }),
);
export type MetaTrainConfig = Required<t.TypeOf<typeof MetaTrainConfig>>;

export const META_TRAIN_DEFAULTS: MetaTrainConfig = {
  method: 'bptt',
  iterations: 200,
  unroll: 20,
  horizon: 100,
  tasksPerIteration: 16,
  metaLearningRate: 0.01,
  clipNorm: 1,
  metaLoss: 'sum',
  stepWeighting: 'uniform',
  firstOrder: true,
  sigma: 0.01,
  pairs: 8,
  workers: 1,
  validateEvery: 20,
  validationTasks: 16,
  seed: 0,
  memoryLimit: Infinity,
};

export function decodeMetaTrainConfig(input: unknown, path = 'metaTrain', defaults: Partial<MetaTrainConfig> = {}): MetaTrainConfig {
  const config = decodeWithDefaults(MetaTrainConfig, { ...META_TRAIN_DEFAULTS, ...defaults }, input, path);
  if (config.workers > 1 && config.method !== 'es' && config.method !== 'pes') throw new Error(`${path}.workers: only ES and PES evaluate on worker processes (their perturbations); method '${config.method}' runs in this process, so set workers to 1 or method to 'es' or 'pes'`);
  if (!(config.clipNorm >= 0)) throw new Error(`${path}.clipNorm: expected a norm ≥ 0 (0: no clipping), got ${JSON.stringify(config.clipNorm)}`);
  if (!(config.memoryLimit > 0)) throw new Error(`${path}.memoryLimit: expected a positive number of MiB, got ${JSON.stringify(config.memoryLimit)}`);
  return config;
}
