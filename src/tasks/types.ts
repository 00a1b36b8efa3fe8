/**
 * Tasks (optimizees). A task is a family of problem instances indexed by seed:
 * the seed picks the start (and, for random families, the problem itself).
 * Instances are created for several seeds at once and laid out as rows of one
 * [runs, parameters] tensor, so that many runs (seeds × hyper-parameter grid
 * points) advance as one batched computation.
 */
import type * as tf from '@tensorflow/tfjs';

export interface Problem {
  /** The seed of each row. */
  readonly seeds: readonly number[];
  /** Initial parameters, one row per run: [runs, dimension]. */
  readonly start: tf.Tensor2D;
  /** Loss of each row on the batch of `step` (deterministic tasks ignore it): [runs]. Differentiable. */
  loss(theta: tf.Tensor2D, step: number): tf.Tensor1D;
  /**
   * `loss` and each row's gradient of its own loss ([rows, D]) in one pass written out by the task, for tasks
   * whose taped gradient costs more than the math (loop/lossAndGrad.ts uses it in place of tf.grad of `loss`).
   * Made of ordinary differentiable tfjs ops: under an outer tape it must give the same higher derivatives.
   */
  lossAndGrad?(theta: tf.Tensor2D, step: number): { rows: tf.Tensor1D; grad: tf.Tensor2D };
  /**
   * Evaluation metrics per row (e.g. testLoss, testAccuracy), for tasks that have them;
   * `limit` evaluates on the first `limit` held-out examples only (cheap periodic checks).
   */
  evaluate?(theta: tf.Tensor2D, options?: { limit?: number; split?: 'test' | 'train' }): Promise<Array<Record<string, number>>>;
  /**
   * Loss of each row on the training set (its first `limit` examples), for tasks whose
   * `loss` is a minibatch's: the evaluation curve's training loss. Tasks whose `loss`
   * does not depend on `step` (the full objective) need none.
   */
  trainLoss?(theta: tf.Tensor2D, options?: { limit?: number }): Promise<number[]>;
  /** Loss of each row on held-out examples (a few-shot episode's query set): [runs]. Differentiable; what MAML's outer loop minimises. */
  heldOutLoss?(theta: tf.Tensor2D): tf.Tensor1D;
  dispose(): void;
}

/** What a report needs to draw a 2-D landscape. */
export interface LandscapeView {
  bounds: { x: [number, number]; y: [number, number] };
  f: (x: number, y: number) => number;
  optimum?: number;
  minima?: Array<[number, number]>;
}

export interface Task {
  readonly id: string;
  readonly dimension: number;
  /** The known minimum loss, if any (plots show loss − optimum on a log scale). */
  readonly optimum?: number;
  /** `stepsToThreshold` counts steps until the loss is ≤ this. */
  readonly threshold?: number;
  /** 'symlog' for losses unbounded below (the saddle). */
  readonly lossScale: 'log' | 'symlog';
  /** Standard deviation of Gaussian noise added to every gradient coordinate (noisy-gradient variants). */
  readonly gradientNoise?: number;
  /** Present for 2-D landscapes. */
  readonly landscape?: LandscapeView;
  /** Loads what the task needs (a dataset) before the first `instantiate`; absent for synthetic tasks. */
  prepare?(): Promise<void>;
  /** A start meta-learned for this task (a MAML initialisation), which the suite's prepare step loads or trains. */
  readonly learnedStart?: LearnedStart;
  /** Problem instances for these seeds, one row per seed (seeds may repeat). */
  instantiate(seeds: readonly number[]): Problem;
}

/**
 * A start every instance of a task takes once it is meta-learned. The task does not
 * know how: the suite's prepare step (suite/prepare.ts) loads it from `checkpoint`, or
 * meta-trains it with the meta-trainer `method` names and `config` and saves it there,
 * then hands it to `use`.
 */
export interface LearnedStart {
  readonly method: string;
  readonly checkpoint: string;
  /** As the suite file gave it: the meta-trainer decodes it. */
  readonly config: Readonly<Record<string, unknown>>;
  /** θ₀ before meta-training (the task's own initialisation). */
  initial(): Float32Array;
  /** Every instance from now on starts at `start`. */
  use(start: Float32Array): void;
}

/**
 * A task family for meta-learning: meta-training draws instances from seeds
 * disjoint from those used for meta-test and for suite runs, so a learned
 * optimizer is always evaluated on problems it never trained on.
 */
export interface TaskFamily {
  readonly task: Task;
  metaTrainSeed(i: number): number;
  metaValidationSeed(i: number): number;
}

/** Meta-training uses seeds from 1e6 up, meta-validation from 2e6; suites use small seeds (0, 1, 2, …). */
export function familyOf(task: Task): TaskFamily {
  return { task, metaTrainSeed: (i) => 1_000_000 + i, metaValidationSeed: (i) => 2_000_000 + i };
}
