/** A meta-gradient estimator of the truncated loop (truncated.ts): BPTT, ES (and PES), each one truncation's estimate. */
import type * as tf from '@tensorflow/tfjs';
import type { StateTree, UpdateRule } from '../rules/index.js';
import type { Problem, Task } from '../tasks/types.js';
import type { MetaTrainConfig } from './config.js';
import type { UnrollStart } from './objective.js';

export interface Estimate {
  /** The meta-loss of this truncation under the current φ. */
  metaLoss: number;
  /** One gradient per meta-parameter, in `variables` order. */
  grads: tf.Tensor[];
  /** θ and state after the truncation under the current φ (kept; the loop owns them). */
  carried: { theta: tf.Tensor2D; state: StateTree };
}

export interface EstimateArgs {
  rule: UpdateRule;
  problem: Problem;
  task: Task;
  /** The seeds `problem` was instantiated from (another process rebuilds the same problem from them). */
  seeds: readonly number[];
  from: UnrollStart;
  variables: tf.Variable[];
  config: MetaTrainConfig;
  iteration: number;
}

export interface Estimator {
  name(config: MetaTrainConfig): string;
  /** Whether it keeps a tape of the whole truncation (BPTT): memory then grows with the tasks, which are unrolled in micro-batches that fit. */
  holdsTape?: boolean;
  estimate(args: EstimateArgs): Promise<Estimate>;
}
