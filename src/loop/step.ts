/** One step of an update rule on every row of a problem: the only place a rule's updates are applied to an optimizee. */
import tf from '#tfjs';
import { applyUpdates, type StateTree, type UpdateRule } from '../rules/index.js';
import type { Problem } from '../tasks/types.js';

export interface StepAt {
  theta: tf.Tensor2D;
  state: StateTree;
  grad: tf.Tensor2D;
  /** The loss rows at θ (what the rule reads as `loss`). */
  loss: tf.Tensor1D;
  step: number;
  /** Rows still running ([rows, 1] bool): a frozen row keeps its parameters. Absent: every row moves. */
  alive?: tf.Tensor;
  /** Per-step hyper-parameter overrides for the rule (a controller's learning rate). */
  overrides?: Readonly<Record<string, tf.Scalar | number>>;
}

export type Stepped = {
  theta: tf.Tensor2D;
  state: StateTree;
  /** The rule's UpdateOutput.trace (a controller's choices), by name. */
  trace: Record<string, tf.Tensor>;
};

/**
 * θ ← θ + update. No tidy inside, so that a meta-gradient's tape can run through it;
 * outside a tape, call it in `tf.tidy`. Inputs are left as they are.
 */
export function stepRule(rule: UpdateRule, problem: Problem, at: StepAt): Stepped {
  const probeLoss = (params: readonly tf.Tensor[], batch: number) => problem.loss(params[0] as tf.Tensor2D, batch);
  const out = rule.update({ grads: [at.grad], params: [at.theta], loss: at.loss, step: at.step, probeLoss, ...(at.overrides === undefined ? {} : { overrides: at.overrides }) }, at.state);
  const moved = applyUpdates([at.theta], out.updates)[0] as tf.Tensor2D;
  return { theta: at.alive === undefined ? moved : (tf.where(at.alive, moved, at.theta) as tf.Tensor2D), state: out.state, trace: out.trace ?? {} };
}
