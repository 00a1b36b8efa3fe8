/**
 * How many rows (runs) of a task and an optimizer fit in one batched group.
 *
 * What fills memory is not the parameters but what a step keeps for the gradient:
 * every row's activations (rows × batch × feature maps) stay alive until the
 * backward pass, beside the parameters, the gradient and the rule's state (tens of
 * numbers per coordinate for learned optimizers). All of it grows linearly with the
 * rows, so one step of one row, measured, gives the cost of a row. Evaluation runs
 * the rows one after another and adds a fixed amount.
 *
 * The same arithmetic sizes any batch of independent rows — meta-training episodes
 * per meta-step, ES perturbations, a worker's share of a suite: measure one row
 * with `measurePeakBytes`, then ask `rowsThatFit`.
 */
import * as tf from '@tensorflow/tfjs';
import { measurePeakBytes, type RowFootprint } from '../backend/rowBudget.js';
import { treeTensors } from '../rules/index.js';
import type { Task } from '../tasks/types.js';
import { lossAndGrad } from '../loop/lossAndGrad.js';
import { stepRule } from '../loop/step.js';
import type { GroupSpec, Row } from './execute.js';

export { SAFETY_FRACTION, measurePeakBytes, estimateGroupBytes, rowsThatFit, type RowFootprint, type GroupSize } from '../backend/rowBudget.js';

/**
 * What one row costs: its memory (RowFootprint), and `stepMs`, the wall time of a second step (gradient and update),
 * timed after the first one warmed the kernels. The pool splits groups by it (pool.ts, balancedUnits): a learned
 * optimizer's row costs many times a baseline's. A single timing on a machine that may be busy: a weight, not a figure.
 */
export interface RowProbe extends RowFootprint {
  stepMs: number;
}

/** One step of one row of `task` under the rule `buildRule` makes (the runner's own step), and one evaluation, measured; a second step timed. */
export async function probeRowFootprint(
  task: Task,
  buildRule: GroupSpec['buildRule'],
  row: Row,
  evaluationLimit = 1000,
): Promise<RowProbe> {
  let problem: ReturnType<Task['instantiate']> | undefined;
  let built: ReturnType<GroupSpec['buildRule']> | undefined;
  // Everything made is disposed in `finally`, also when the step runs out of memory half-way.
  const made: tf.Tensor[] = [];
  let theta: tf.Tensor2D | undefined;
  let second: (() => Promise<void>) | undefined;
  try {
    const step = await measurePeakBytes(() => {
      problem = task.instantiate([row.seed]);
      built = buildRule([row]);
      const start = tf.clone(problem.start);
      const state = built.rule.init([start]);
      const alive = tf.ones([1, 1], 'bool');
      made.push(start, alive, ...treeTensors(state));
      const { rows: rowLosses, grad } = lossAndGrad(task, problem, start, 0);
      made.push(rowLosses, grad);
      const rule = built.rule;
      const next = tf.tidy(() => stepRule(rule, problem!, { theta: start, state, grad, loss: rowLosses, alive, step: 0 }));
      made.push(next.theta, ...treeTensors(next.state), ...Object.values(next.trace));
      theta = next.theta;
      second = async () => {
        const at = lossAndGrad(task, problem!, next.theta, 1);
        made.push(at.rows, at.grad);
        const after = tf.tidy(() => stepRule(rule, problem!, { theta: next.theta, state: next.state, grad: at.grad, loss: at.rows, alive, step: 1 }));
        made.push(after.theta, ...treeTensors(after.state), ...Object.values(after.trace));
        await after.theta.data();
      };
    });
    const timed = performance.now();
    await second!();
    const stepMs = performance.now() - timed;
    const evaluate = problem!.evaluate;
    const evaluation = evaluate === undefined ? { peakBytes: 0 } : await measurePeakBytes(async () => void (await evaluate(theta!, { limit: evaluationLimit })));
    return { stepBytes: step.peakBytes, evaluationBytes: evaluation.peakBytes, largestTensorBytes: step.largestTensorBytes, stepMs };
  } finally {
    tf.dispose(made);
    built?.dispose();
    problem?.dispose();
  }
}
