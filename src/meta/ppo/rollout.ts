/**
 * One PPO rollout: the stochastic policy optimizes a batch of tasks (one row per
 * task) for T steps. It keeps what the update needs — every step's features,
 * actions and their log-probabilities — plus the losses and value estimates for
 * the advantages. A row whose loss becomes non-finite or explodes is frozen (as in
 * suite runs) so that its features stay finite.
 */
import tf from '#tfjs';
import type { CoordinatePolicy } from '../../learned/policy/coordinatePolicy.js';
import { recordStep, type HistoryState } from '../../learned/policy/history.js';
import { hashSeed } from '../../random.js';
import { treeTensors } from '../../rules/index.js';
import { lossAndGrad } from '../../loop/lossAndGrad.js';
import type { Task } from '../../tasks/types.js';
import { gaussianLogProb } from './loss.js';

export interface Rollout {
  rows: number;
  /** Coordinates per row. */
  perRow: number;
  /** [T·rows·perRow, F], step-major, then row, then coordinate. */
  features: tf.Tensor2D;
  actions: tf.Tensor1D;
  logProbs: tf.Tensor1D;
  /** [T + 1][rows]: the loss before each step and after the last. */
  losses: number[][];
  /** [T][rows]. */
  values: number[][];
  /** Rows frozen after a blow-up, with the step it happened. */
  diverged: Array<number | null>;
  dispose(): void;
}

const BLOW_UP = 1e3;

export async function rollout(policy: CoordinatePolicy, task: Task, seeds: number[], horizon: number, noiseSeed: number): Promise<Rollout> {
  const problem = task.instantiate(seeds);
  const rows = seeds.length;
  const perRow = task.dimension;
  let theta = tf.clone(problem.start);
  let state: HistoryState = policy.initState([theta]);
  let alive = tf.ones([rows, 1], 'bool');
  const kept: { features: tf.Tensor[]; actions: tf.Tensor[]; logProbs: tf.Tensor[] } = { features: [], actions: [], logProbs: [] };
  const losses: number[][] = [];
  const values: number[][] = [];
  const diverged: Array<number | null> = seeds.map(() => null);
  try {
    for (let t = 0; t <= horizon; t++) {
      const { rows: rowLoss, grad } = lossAndGrad(task, problem, theta, t);
      const current = Array.from(await rowLoss.data());
      // A frozen row keeps reporting its last finite loss.
      const previous = losses[losses.length - 1];
      let changed = false;
      current.forEach((loss, r) => {
        const start = losses[0]?.[r] ?? loss;
        if (diverged[r] === null && (!Number.isFinite(loss) || Math.abs(loss) > BLOW_UP * Math.max(Math.abs(start), 1))) {
          diverged[r] = t;
          changed = true;
        }
        if (diverged[r] !== null) current[r] = previous?.[r] ?? start;
      });
      losses.push(current);
      if (changed) {
        alive.dispose();
        alive = tf.tensor2d(diverged.map((d) => (d === null ? 1 : 0)), [rows, 1], 'bool');
      }
      if (t === horizon) {
        tf.dispose([rowLoss, grad]);
        break;
      }
      const safeLoss = tf.tidy(() => tf.where(tf.isFinite(rowLoss), rowLoss, tf.zerosLike(rowLoss)));
      const safeGrad = tf.tidy(() => tf.where(tf.logicalAnd(alive, tf.isFinite(grad)), grad, tf.zerosLike(grad)));
      const out = tf.tidy(() => {
        const o = policy.observe(state, { grads: [safeGrad], params: [theta], loss: safeLoss, step: t });
        const noise = tf.randomNormal(o.mean.shape, 0, 1, 'float32', hashSeed(noiseSeed, t));
        const action = tf.add(o.mean, tf.mul(tf.exp(policy.logStd), noise)) as tf.Tensor1D;
        const logProb = gaussianLogProb(action, o.mean, policy.logStd);
        const value = policy.values(o.features, rows, t / horizon);
        const update = policy.stepFor(action, o.grad);
        const moved = tf.add(theta, tf.reshape(update, theta.shape));
        return {
          theta: tf.where(alive, moved, theta) as tf.Tensor2D,
          state: recordStep(state, o.observed, update, o.loss),
          features: o.features,
          action,
          logProb,
          value,
        };
      });
      values.push(Array.from(await out.value.data()));
      kept.features.push(out.features);
      kept.actions.push(out.action);
      kept.logProbs.push(out.logProb);
      tf.dispose([rowLoss, grad, safeLoss, safeGrad, theta, out.value, ...treeTensors(state)]);
      theta = out.theta;
      state = out.state;
    }
    const features = tf.concat(kept.features) as tf.Tensor2D;
    const actions = tf.concat(kept.actions) as tf.Tensor1D;
    const logProbs = tf.concat(kept.logProbs) as tf.Tensor1D;
    return { rows, perRow, features, actions, logProbs, losses, values, diverged, dispose: () => tf.dispose([features, actions, logProbs]) };
  } finally {
    tf.dispose([theta, alive, ...treeTensors(state), ...kept.features, ...kept.actions, ...kept.logProbs]);
    problem.dispose();
  }
}
