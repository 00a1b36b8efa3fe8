/**
 * An update rule: a pair of pure functions over tensors, as in optax.
 *
 *   init(params) → state
 *   update({grads, params, loss, step}, state) → {updates, state}
 *
 * `updates` are *added* to the parameters (θ ← θ + u), so descent rules return
 * negative steps. Because a rule is plain tensor math with no hidden variables, a
 * sequence of updates can be unrolled inside `tf.grad`/`tf.variableGrads` and
 * differentiated with respect to tensor-valued hyper-parameters or meta-parameters.
 */
import type * as tf from '@tensorflow/tfjs';
import type { RuleSpec } from './spec.js';

/** A rule's state: tensors, arrays or records of them (a "pytree"). */
export type StateTree = tf.Tensor | StateTree[] | { [key: string]: StateTree };

export interface UpdateInput {
  grads: readonly tf.Tensor[];
  params: readonly tf.Tensor[];
  /**
   * The loss at `params` (learned optimizers and controllers read it); absent when
   * unknown. A scalar, or one loss per row when independent runs are batched as rows.
   */
  loss?: tf.Tensor;
  /** 0 for the first update. */
  step: number;
  /**
   * Per-step overrides of hyper-parameters, chosen by a controller (an RL agent setting the
   * learning rate, say). Rules that know a name use it in place of their configured value.
   */
  overrides?: Readonly<Record<string, tf.Scalar | number>>;
  /**
   * The optimizee's loss per row at `params` on the minibatch of step `batch`, for
   * controllers that probe the objective: a reward f(θₜ₊₁; xₜ) on the batch just used,
   * or a state read on another minibatch (Xu et al.'s actor). The suite runner and
   * the meta-trainers pass it; tfjs's model.fit cannot, so rules must work without it.
   */
  probeLoss?: (params: readonly tf.Tensor[], batch: number) => tf.Tensor;
}

export interface UpdateOutput<S extends StateTree = StateTree> {
  updates: tf.Tensor[];
  state: S;
  /**
   * Per-step values a controller chose, by name, one per row ([rows] or [rows, 1]),
   * e.g. the learning rate an RL agent set. The suite runner records them in
   * `RunRecord.traces` (lr-trajectory plots); callers that do not read them dispose them.
   */
  trace?: Record<string, tf.Tensor>;
}

export interface UpdateRule<S extends StateTree = StateTree> {
  /** A JSON description from which `ruleFromSpec` rebuilds the rule; absent for rules that cannot be serialised. */
  readonly spec?: RuleSpec;
  /**
   * True when one update reads every coordinate of a parameter tensor together (a global norm). Runs batched as
   * rows of one tensor would then see each other's coordinates, so the suite gives each such run its own group.
   */
  readonly mixesCoordinates?: boolean;
  init(params: readonly tf.Tensor[]): S;
  update(input: UpdateInput, state: S): UpdateOutput<S>;
}

/**
 * A hyper-parameter: a number, or a scalar tensor (to differentiate through, or set
 * per step by a controller). A tensor that broadcasts against the parameters also
 * works — e.g. one learning rate per row when runs are batched as rows.
 */
export type HyperParam = number | tf.Scalar;
