/** The meta-objective of an unroll, and unrolling a rule on a problem. */
import tf from '#tfjs';
import { lossAndGrad } from '../loop/lossAndGrad.js';
import type { ObjectiveScore } from '../loop/score.js';
import { stepRule } from '../loop/step.js';
import { treeLeaves, type StateTree, type UpdateRule } from '../rules/index.js';
import type { Problem, Task } from '../tasks/types.js';
import type { MetaTrainConfig } from './config.js';

/** The per-step objective: raw loss ('sum', the paper's Σₜ f(θₜ)), or log of the loss above the optimum ('log', scale-free). */
export function objective(task: Task, rows: tf.Tensor1D, kind: MetaTrainConfig['metaLoss']): tf.Tensor1D {
  if (kind === 'sum') return rows;
  return tf.log(tf.add(tf.relu(tf.sub(rows, task.optimum ?? 0)), 1e-8)) as tf.Tensor1D;
}

/** The meta-objective as a held-out score (scoreRule): the mean over steps 1 … T of the per-step objective. */
export function objectiveScore(task: Task, kind: MetaTrainConfig['metaLoss']): ObjectiveScore {
  return { objective: (rows) => objective(task, rows, kind) };
}

/** How the steps of a horizon weigh in the meta-loss ('linear': the loss after step s weighs 2s/(H + 1), the mean weight 1). */
export type StepWeighting = Partial<Pick<MetaTrainConfig, 'stepWeighting' | 'horizon'>>;

function stepWeight(config: StepWeighting, step: number): number {
  if (config.stepWeighting !== 'linear' || config.horizon === undefined) return 1;
  return (2 * step) / (config.horizon + 1);
}

export interface UnrollStart {
  theta: tf.Tensor2D;
  state: StateTree;
  step: number;
}

export interface Unrolled {
  theta: tf.Tensor2D;
  state: StateTree;
  /** Mean over the unrolled steps and rows of the objective at θ₁ … θ_T, each step weighted by wₜ (1 unless `stepWeighting`). */
  metaLoss: tf.Scalar;
}

/** Unrolls `steps` steps from (θ, state) on the one optimizee loop's step (task noise included); differentiable w.r.t. the rule's meta-parameters. */
export function unroll(rule: UpdateRule, problem: Problem, task: Task, from: UnrollStart, steps: number, config: Pick<MetaTrainConfig, 'metaLoss' | 'firstOrder'> & StepWeighting): Unrolled {
  let theta = from.theta;
  let state = from.state;
  const terms: tf.Tensor[] = [];
  for (let k = 0; k < steps; k++) {
    const step = from.step + k;
    const { rows, grad } = lossAndGrad(task, problem, theta, step, { firstOrder: config.firstOrder });
    const next = stepRule(rule, problem, { theta, state, grad, loss: rows, step });
    // lossAndGrad keeps its rows outside every scope; the tape holds its own copies.
    rows.dispose();
    theta = next.theta;
    state = next.state;
    const term = tf.mean(objective(task, problem.loss(theta, step + 1), config.metaLoss));
    const weight = stepWeight(config, step + 1);
    terms.push(weight === 1 ? term : tf.mul(term, weight));
  }
  return { theta, state, metaLoss: tf.div(tf.addN(terms), steps) as tf.Scalar };
}

/**
 * The same unroll without a tape, one step at a time: each step's intermediates
 * are freed before the next, so memory stays flat in the unroll length (for
 * estimators that need no backprop, such as ES). The caller keeps ownership of
 * `from`; the returned tensors are new.
 */
export function unrollStepwise(rule: UpdateRule, problem: Problem, task: Task, from: UnrollStart, steps: number, config: Pick<MetaTrainConfig, 'metaLoss'> & StepWeighting): Unrolled {
  let theta = from.theta;
  let state = from.state;
  let total = tf.scalar(0);
  for (let k = 0; k < steps; k++) {
    const next = tf.tidy(() => {
      const r = unroll(rule, problem, task, { theta, state, step: from.step + k }, 1, { ...config, firstOrder: true });
      return { theta: r.theta, state: r.state, total: tf.add(total, r.metaLoss) as tf.Scalar };
    });
    if (k > 0) tf.dispose([theta, ...treeLeaves(state).map((l) => l.tensor)]);
    total.dispose();
    theta = next.theta;
    state = next.state;
    total = next.total;
  }
  const metaLoss = tf.div(total, steps) as tf.Scalar;
  total.dispose();
  return { theta, state, metaLoss };
}
