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
import tf from '#tfjs';
import { measurePeakBytes, type RowFootprint } from '../backend/rowBudget.js';
import { treeTensors } from '../rules/index.js';
import type { Task } from '../tasks/types.js';
import { lossAndGrad } from '../loop/lossAndGrad.js';
import { stepRule } from '../loop/step.js';
import type { GroupSpec, Row } from './execute.js';

export { SAFETY_FRACTION, measurePeakBytes, estimateGroupBytes, rowsThatFit, type RowFootprint, type GroupSize } from '../backend/rowBudget.js';

/**
 * What one row costs: its memory (RowFootprint), and, when asked for (`timed`), `stepMs`, the wall time of a step
 * (gradient and update): the fastest of TIMED_STEPS steps after the first one warmed the kernels (the fastest,
 * because other processes only ever add time). The pool splits groups by it (pool.ts, balancedUnits): a learned
 * optimizer's row costs many times a baseline's. A weight, not a figure; a run in one process needs none.
 */
export interface RowProbe extends RowFootprint {
  stepMs?: number;
}

const TIMED_STEPS = 3;

/** One step of one row of `task` under the rule `buildRule` makes (the runner's own step), and one evaluation, measured; with `timed`, then a few steps timed. */
export async function probeRowFootprint(
  task: Task,
  buildRule: GroupSpec['buildRule'],
  row: Row,
  evaluationLimit = 1000,
  timed = false,
): Promise<RowProbe> {
  let problem: ReturnType<Task['instantiate']> | undefined;
  let built: ReturnType<GroupSpec['buildRule']> | undefined;
  // Everything made is disposed in `finally`, also when the step runs out of memory half-way.
  const made: tf.Tensor[] = [];
  let theta: tf.Tensor2D | undefined;
  let timedStep: ((step: number) => Promise<number>) | undefined;
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
      // Steps from θ₁ on, each one's tensors freed before the next (θ₁ and its state stay with the first step's).
      let at = { theta: next.theta, state: next.state };
      timedStep = async (step) => {
        const started = performance.now();
        const { rows, grad } = lossAndGrad(task, problem!, at.theta, step);
        const after = tf.tidy(() => stepRule(rule, problem!, { theta: at.theta, state: at.state, grad, loss: rows, alive, step }));
        await after.theta.data();
        const ms = performance.now() - started;
        tf.dispose([rows, grad, ...Object.values(after.trace)]);
        if (at.theta !== next.theta) tf.dispose([at.theta, ...treeTensors(at.state)]);
        at = { theta: after.theta, state: after.state };
        made.push(after.theta, ...treeTensors(after.state));
        return ms;
      };
    });
    const times: number[] = [];
    for (let i = 1; timed && i <= TIMED_STEPS; i++) times.push(await timedStep!(i));
    const evaluate = problem!.evaluate;
    const evaluation = evaluate === undefined ? { peakBytes: 0 } : await measurePeakBytes(async () => void (await evaluate(theta!, { limit: evaluationLimit })));
    return { stepBytes: step.peakBytes, evaluationBytes: evaluation.peakBytes, largestTensorBytes: step.largestTensorBytes, ...(timed ? { stepMs: Math.min(...times) } : {}) };
  } finally {
    tf.dispose(made);
    built?.dispose();
    problem?.dispose();
  }
}
