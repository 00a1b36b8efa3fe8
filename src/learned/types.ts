/**
 * The one interface every learned optimizer implements: DQN and actor-critic
 * controllers, the coordinate-wise RL policy, the LSTM optimizer, and the
 * trivial learned learning-rate schedule that proves the interface end to end.
 */
import type * as tf from '@tensorflow/tfjs';
import type { UpdateRule } from '../rules/index.js';

export type JsonValue = number | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface MetaTrainPoint {
  iteration: number;
  /** Meta-training loss of this iteration (the estimator's objective). */
  metaLoss: number;
  /** Wall time since meta-training started. */
  wallMs: number;
}

export interface MetaTrainReport {
  method: string;
  curve: MetaTrainPoint[];
  /** Meta-validation on held-out tasks: the frozen optimizer's mean objective. */
  validation: Array<{ iteration: number; loss: number }>;
  /** The iteration whose meta-parameters were kept (best validation). */
  bestIteration: number;
  wallMs: number;
  /** Truncated BPTT: the tasks of a truncation unrolled together, sized to the memory budget (one task's truncation measured). */
  microBatch?: { tasks: number; count: number; taskPeakBytes: number; taskHeldBytes: number; fits: boolean; estimatedBytes: number; budget: string };
}

export type ProgressCallback = (point: MetaTrainPoint) => void;

type NamedTensor = { name: string; tensor: tf.Tensor };

/** State an online rule keeps outside its state tree, saved and restored with a tfjs optimizer's weights. */
export interface OutsideState {
  getWeights(): Promise<NamedTensor[]>;
  setWeights(weights: NamedTensor[]): Promise<void>;
}

/** An online rule, with the learner state it keeps outside its state tree (its own optimizers' moments), if any. */
export type OnlineRule = UpdateRule & { readonly outside?: OutsideState };

export interface LearnedOptimizer {
  /** Registered kind (checkpoints record it), e.g. 'lr-schedule', 'lstm'. */
  readonly kind: string;
  /** The checkpoint format version of this kind. */
  readonly version: number;
  /** Construction options: recorded in checkpoints, enough to rebuild an untrained instance. */
  readonly hyperParams: Record<string, JsonValue>;
  /** The meta-parameters φ, by stable name (checkpoint weight names). */
  readonly metaParams: ReadonlyMap<string, tf.Variable>;
  /** An update rule parameterized by φ: differentiable w.r.t. φ (BPTT), actable through (RL). */
  rule(): UpdateRule;
  /** True when `rule()` is differentiable w.r.t. φ: the truncated meta-trainers (BPTT, ES) can train it. */
  readonly differentiable?: boolean;
  /** Meta-training config values this optimizer brings (a schedule's own horizon), over the trainer's defaults. */
  readonly metaTrainDefaults?: Readonly<Record<string, JsonValue>>;
  /**
   * The online optimizer: φ keeps learning during the run it controls (it assigns to
   * its own variables as it goes). Kinds without it have no online mode in suites.
   */
  onlineRule?(): OnlineRule;
  /** A new optimizer of the same kind and options with a copy of φ (an online run learns on its own copy). */
  clone(): LearnedOptimizer;
  dispose(): void;
}
