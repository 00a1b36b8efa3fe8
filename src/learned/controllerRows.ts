/**
 * Learning-rate controllers (DQN, actor-critic) act per row. Suite runs and meta-training hand it one [rows, n]
 * parameter tensor with one loss per row; tfjs's model.fit hands it a model's
 * variables (any shapes, no row axis) and a scalar loss, which is one row: all
 * variables flattened and concatenated.
 *
 * The layout is decided from the parameters alone (init has no loss): a single
 * 2-D parameter is rows. Known limitation: a tfjs model whose only variable is one
 * 2-D matrix gets one learning rate per matrix row (the scalar loss is shared by them).
 */
import tf from '#tfjs';
import type { RuleSpec } from '../rules/index.js';

export type Layout = 'rows' | 'flat';

export function layoutOf(params: readonly tf.Tensor[]): Layout {
  return params.length === 1 && params[0]!.rank === 2 ? 'rows' : 'flat';
}

/** [rows, n]: the tensor itself ('rows') or everything flattened into one row ('flat'). */
export function asRows(tensors: readonly tf.Tensor[], layout: Layout): tf.Tensor2D {
  if (layout === 'rows') return tensors[0] as tf.Tensor2D;
  const flat = tensors.length === 1 ? tf.reshape(tensors[0]!, [-1]) : tf.concat(tensors.map((x) => tf.reshape(x, [-1])));
  return tf.reshape(flat, [1, -1]);
}

/** One loss per row: [rows] (a scalar loss is shared by all rows). */
export function lossRows(loss: tf.Tensor, rows: number, who = 'controller'): tf.Tensor1D {
  if (loss.size === rows) return tf.reshape(loss, [rows]);
  if (loss.size === 1) return tf.broadcastTo(tf.reshape(loss, [1]), [rows]);
  throw new Error(`${who}: a loss of shape [${loss.shape}] matches neither a scalar nor ${rows} rows`);
}

/** The per-row learning rate [rows, 1] in the form the base rule broadcasts against the parameters. */
export function rateForParams(learningRate: tf.Tensor2D, layout: Layout): tf.Tensor {
  return layout === 'rows' ? learningRate : tf.reshape(learningRate, []);
}

/** A controller's base rule as a full spec ('sgd' → {rule: 'sgd', options: {}}). */
export function baseRuleSpec(baseRule: string | RuleSpec): RuleSpec {
  return typeof baseRule === 'string' ? { rule: baseRule, options: {} } : baseRule;
}
