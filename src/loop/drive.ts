/**
 * Runs rows of one problem (seeds × grid points, or a meta-trainer's tasks) for T
 * steps of a rule: loss and gradient (lossAndGrad.ts), one step (step.ts), repeat,
 * then the loss after the last step. Callers differ only in their hooks: record a
 * run, score a rule, learn online. A hook may freeze rows (a diverged run): frozen
 * rows keep their parameters while the others go on.
 */
import tf from '#tfjs';
import { treeTensors, type StateTree, type UpdateRule } from '../rules/index.js';
import type { Problem, Task } from '../tasks/types.js';
import { eventLoopTurns } from './eventLoopTurns.js';
import { lossAndGrad } from './lossAndGrad.js';
import { stepRule } from './step.js';

export interface DriveHooks {
  /** Before step `step`'s gradient (steps 1 … T − 1), with θ at that step. */
  beforeStep?(step: number, theta: tf.Tensor2D): Promise<void>;
  /**
   * The loss rows at θ_step (step = T after the last update, with `final`). Returns the
   * rows to freeze from now on, if any changed; the driver disposes `rows` afterwards.
   */
  onLoss?(rows: tf.Tensor1D, step: number, theta: tf.Tensor2D, final: boolean): Promise<readonly boolean[] | void> | readonly boolean[] | void;
  /** The rule's trace of step `step` (disposed by the driver afterwards). */
  onTrace?(trace: Record<string, tf.Tensor>, step: number): Promise<void>;
  /** θ after the last step, before the driver disposes it. */
  end?(theta: tf.Tensor2D): Promise<void>;
}

export interface Drive {
  task: Task;
  /** Rows of `task`, owned by the caller (the driver leaves it undisposed). */
  problem: Problem;
  rule: UpdateRule;
  steps: number;
  hooks?: DriveHooks;
  /** Make frozen rows keep their parameters ([rows, 1] mask applied every step). */
  freezable?: boolean;
}

export async function driveRows({ task, problem, rule, steps, hooks = {}, freezable = false }: Drive): Promise<void> {
  const rows = problem.seeds.length;
  let theta = tf.clone(problem.start);
  let state: StateTree = rule.init([theta]);
  let alive = freezable ? tf.ones([rows, 1], 'bool') : undefined;
  const freeze = (frozen: readonly boolean[] | void) => {
    if (frozen === undefined || alive === undefined) return;
    alive.dispose();
    alive = tf.tensor2d(frozen.map((f) => (f ? 0 : 1)), [rows, 1], 'bool');
  };
  const turn = eventLoopTurns();
  try {
    for (let step = 0; step < steps; step++) {
      await turn();
      if (step > 0) await hooks.beforeStep?.(step, theta);
      const { rows: loss, grad } = lossAndGrad(task, problem, theta, step);
      freeze(await hooks.onLoss?.(loss, step, theta, false));
      const at = { theta, state, grad, loss, step, ...(alive === undefined ? {} : { alive }) };
      const next = tf.tidy(() => stepRule(rule, problem, at));
      await hooks.onTrace?.(next.trace, step);
      tf.dispose([loss, grad, theta, ...treeTensors(state), ...Object.values(next.trace)]);
      theta = next.theta;
      state = next.state;
    }
    const last = tf.tidy(() => problem.loss(theta, steps));
    try {
      await hooks.onLoss?.(last, steps, theta, true);
    } finally {
      last.dispose();
    }
    await hooks.end?.(theta);
  } finally {
    tf.dispose([theta, ...treeTensors(state), ...(alive === undefined ? [] : [alive])]);
  }
}
