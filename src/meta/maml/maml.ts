/**
 * MAML (Finn, Abbeel & Levine 2017): meta-learns the initialisation θ₀ from which
 * a few SGD steps on an episode's support set give a low loss on its query set.
 * The reference the few-shot suite places beside the learned optimizers: MAML
 * learns where to start, they learn how to step.
 *
 * Per iteration, `metaBatch` meta-train episodes each adapt θ₀ by `innerSteps` SGD
 * steps of size α on their support loss; the outer loss is the mean query loss
 * after adaptation (the task's `heldOutLoss`), minimised over θ₀ by Adam.
 * `firstOrder: true` (FOMAML) takes the query gradient at the adapted parameters
 * as θ₀'s gradient; `false` differentiates through the inner steps (second order,
 * through the gradient kernels alphaopt registers for conv nets).
 *
 * The episodes of an outer step are computed together (rows of one problem), so
 * their activations (and, second order, the tape through the inner steps) grow with
 * `metaBatch`: they run in micro-batches sized to memory by measuring one episode,
 * whose gradients combine to the full batch's (microBatch.ts).
 */
import tf from '#tfjs';
import t from '#cjs/io-ts';
import type { MetaTrainReport, ProgressCallback } from '../../learned/types.js';
import type { Problem, TaskFamily } from '../../tasks/types.js';
import { BestSnapshot } from '../bestSnapshot.js';
import * as values from '../../codec/values.js';
import { decodeWithDefaults } from '../decodeConfig.js';
import { combineEstimates, microBatchLengths, sizeByOneTask } from '../microBatch.js';

export const MamlConfig = t.exact(
  t.partial({
    iterations: values.positiveInt,
    /** Episodes per outer step. */
    metaBatch: values.positiveInt,
    innerSteps: values.positiveInt,
    /** α, the inner SGD step size. */
    innerLearningRate: t.number,
    /** Adam's step size on θ₀. */
    outerLearningRate: t.number,
    firstOrder: t.boolean,
    validateEvery: values.positiveInt,
    validationEpisodes: values.positiveInt,
    /** MiB the episodes of one outer step may use (as metaTrain.memoryLimit); absent: the backend's own. */
    memoryLimit: t.number,
  }),
);
export type MamlConfig = Required<t.TypeOf<typeof MamlConfig>>;

/** Finn et al.'s Omniglot 5-way settings (α = 0.4, Adam 10⁻³), first order, fewer iterations. */
export const MAML_DEFAULTS: MamlConfig = {
  iterations: 300,
  metaBatch: 8,
  innerSteps: 5,
  innerLearningRate: 0.4,
  outerLearningRate: 0.001,
  firstOrder: true,
  validateEvery: 25,
  validationEpisodes: 32,
  memoryLimit: Infinity,
};

export function decodeMamlConfig(input: unknown, path: string): MamlConfig {
  const config = decodeWithDefaults(MamlConfig, MAML_DEFAULTS, input, path);
  for (const key of ['innerLearningRate', 'outerLearningRate', 'memoryLimit'] as const) {
    if (!(config[key] > 0)) throw new Error(`${path}.${key}: expected a positive number, got ${config[key]}`);
  }
  return config;
}

/**
 * θ₀ [D] as the start of every row of a problem: [rows, D]. Rows concatenated, not
 * tf.tile'd: the wasm Tile kernel indexes element by element (~14× slower at 32 rows
 * of 112,261, bench/README.md), and concat's gradient (row slices, summed) is cheaper too.
 */
const tiled = (theta0: tf.Tensor1D, rows: number) =>
  tf.tidy(() => {
    const row = tf.reshape(theta0, [1, -1]) as tf.Tensor2D;
    return tf.concat(Array.from({ length: rows }, () => row), 0);
  });

function queryLoss(problem: Problem): (theta: tf.Tensor2D) => tf.Tensor1D {
  if (problem.heldOutLoss === undefined) throw new Error('MAML needs a task with a held-out (query) loss, such as omniglotFewShot');
  return (theta) => problem.heldOutLoss!(theta);
}

/** One inner SGD step on every row's support loss; differentiable when called under a tape. */
const innerStep = (problem: Problem, theta: tf.Tensor2D, step: number, alpha: number) =>
  tf.sub(theta, tf.mul(alpha, tf.grad((x: tf.Tensor) => tf.sum(problem.loss(x as tf.Tensor2D, step)))(theta))) as tf.Tensor2D;

/** Mean query loss after adaptation (no gradient): the validation score, and the outer loss of tests. */
export async function adaptedQueryLoss(problem: Problem, theta0: tf.Tensor1D, config: Pick<MamlConfig, 'innerSteps' | 'innerLearningRate'>): Promise<number> {
  let theta = tiled(theta0, problem.seeds.length);
  for (let k = 0; k < config.innerSteps; k++) {
    const next = tf.tidy(() => innerStep(problem, theta, k, config.innerLearningRate));
    theta.dispose();
    theta = next;
  }
  const loss = tf.tidy(() => tf.mean(queryLoss(problem)(theta)));
  const value = (await loss.data())[0]!;
  tf.dispose([theta, loss]);
  return value;
}

/** The outer loss and its gradient with respect to θ₀, first or second order. */
export function metaGradient(problem: Problem, theta0: tf.Variable, config: MamlConfig): { loss: tf.Scalar; grad: tf.Tensor1D } {
  const rows = problem.seeds.length;
  const query = queryLoss(problem);
  if (!config.firstOrder) {
    const { value, grads } = tf.variableGrads(() => {
      let theta = tiled(theta0 as tf.Tensor1D, rows);
      for (let k = 0; k < config.innerSteps; k++) theta = innerStep(problem, theta, k, config.innerLearningRate);
      return tf.mean(query(theta)) as tf.Scalar;
    }, [theta0]);
    return { loss: value, grad: grads[theta0.name] as tf.Tensor1D };
  }
  let theta = tiled(theta0 as tf.Tensor1D, rows);
  for (let k = 0; k < config.innerSteps; k++) {
    const next = tf.tidy(() => innerStep(problem, theta, k, config.innerLearningRate));
    theta.dispose();
    theta = next;
  }
  const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => tf.mean(query(x as tf.Tensor2D)) as tf.Scalar)(theta);
  // The gradient of the mean over rows w.r.t. each row's θ_k, summed over rows: ∂/∂θ₀ to first order.
  const summed = tf.sum(grad, 0) as tf.Tensor1D;
  tf.dispose([theta, grad]);
  return { loss: value, grad: summed };
}

export interface MamlResult {
  initialization: Float32Array;
  report: MetaTrainReport;
}

/** Meta-trains θ₀ from `start` on the family's meta-train episodes; keeps the θ₀ with the best validation query loss. */
export async function trainMamlInitialization(family: TaskFamily, start: Float32Array, config: MamlConfig, onProgress?: ProgressCallback): Promise<MamlResult> {
  const started = performance.now();
  const initial = tf.tensor1d(start);
  const theta0 = tf.variable(initial, true, `maml/theta0/${Math.random().toString(36).slice(2)}`);
  initial.dispose(); // the variable keeps its own reference to the data
  const optimizer = tf.train.adam(config.outerLearningRate);
  const report: MetaTrainReport = { method: config.firstOrder ? 'fomaml' : 'maml', curve: [], validation: [], bestIteration: 0, wallMs: 0 };
  const validationSeeds = Array.from({ length: config.validationEpisodes }, (_, i) => family.metaValidationSeed(i));
  const validate = async () => {
    const problem = family.task.instantiate(validationSeeds);
    try {
      return await adaptedQueryLoss(problem, theta0 as tf.Tensor1D, config);
    } finally {
      problem.dispose();
    }
  };
  const best = new BestSnapshot([theta0], await validate(), report, started);
  const episodeSeed = (iteration: number, i: number) => family.metaTrainSeed((iteration - 1) * config.metaBatch + i);
  let lengths = [config.metaBatch];
  try {
    if (config.metaBatch > 1) {
      // One episode's outer step measured (nothing outlives a micro-batch, so nothing is held).
      const size = await sizeByOneTask(config.metaBatch, config.memoryLimit, async () => {
        const problem = family.task.instantiate([episodeSeed(1, 0)]);
        try {
          tf.dispose(Object.values(metaGradient(problem, theta0, config)));
        } finally {
          problem.dispose();
        }
      });
      lengths = microBatchLengths(config.metaBatch, size.tasks);
      report.microBatch = { ...size, count: lengths.length };
    }
    for (let iteration = 1; iteration <= config.iterations; iteration++) {
      const parts: Array<{ metaLoss: number; grads: tf.Tensor[] }> = [];
      let first = 0;
      for (const length of lengths) {
        const problem = family.task.instantiate(Array.from({ length }, (_, i) => episodeSeed(iteration, first + i)));
        first += length;
        try {
          const { loss, grad } = metaGradient(problem, theta0, config);
          parts.push({ metaLoss: (await loss.data())[0]!, grads: [grad] });
          loss.dispose();
        } catch (error) {
          tf.dispose(parts.flatMap((p) => p.grads));
          throw error;
        } finally {
          problem.dispose();
        }
      }
      const { metaLoss, grads } = combineEstimates(parts, lengths);
      optimizer.applyGradients([{ name: theta0.name, tensor: grads[0]! }]);
      tf.dispose(grads[0]!);
      await best.iteration(iteration, metaLoss, { every: config.validateEvery, last: config.iterations, validate, ...(onProgress === undefined ? {} : { onProgress }) });
    }
    best.finish();
    return { initialization: (await theta0.data()) as Float32Array, report };
  } finally {
    best.dispose();
    optimizer.dispose();
    theta0.dispose();
  }
}
