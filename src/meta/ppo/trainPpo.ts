/**
 * Meta-trains the coordinate-wise policy with PPO (Schulman et al. 2017) where
 * Li & Malik used guided policy search. Each coordinate is an agent with shared
 * weights (parameter sharing); all coordinates of a task share that task's
 * reward, so each coordinate's probability ratio is weighed by the task-step
 * advantage. Iteration: roll out the stochastic policy on a batch of fresh tasks,
 * normalise rewards by their running std, compute GAE advantages with the
 * learned value baseline, then a few epochs of the clipped objective
 * (+ value regression, − entropy bonus) with Adam. Every `validateEvery`
 * iterations the frozen (mean) policy runs on held-out tasks and the best
 * weights are kept.
 */
import tf from '#tfjs';
import { BestSnapshot } from '../bestSnapshot.js';
import { scoreRule } from '../../loop/score.js';
import type { CoordinatePolicy } from '../../learned/policy/coordinatePolicy.js';
import type { MetaTrainReport, ProgressCallback } from '../../learned/types.js';
import { adam, chain, clipByGlobalNorm, type UpdateRule } from '../../rules/index.js';
import { toTfjsOptimizer } from '../../rules/tfjsOptimizer.js';
import type { TaskFamily } from '../../tasks/types.js';
import type { PpoConfig } from './config.js';
import { RunningStd, generalizedAdvantages, standardize } from './gae.js';
import { clippedSurrogateLoss, gaussianEntropy, gaussianLogProb } from './loss.js';
import { rollout, type Rollout } from './rollout.js';
import { rolloutRewards } from './rewards.js';

/** The k-th task drawn for training: a fresh one, or with a fixed training set of `pool` tasks, one of those in turn. */
export const trainingTaskIndex = (k: number, pool: number): number => (pool > 0 ? k % pool : k);

/** One PPO update (several epochs) on a batch of rollouts; returns the last epoch's loss. */
async function ppoUpdate(policy: CoordinatePolicy, optimizer: tf.Optimizer, batch: Rollout, advantages: number[], returns: number[], config: PpoConfig): Promise<number> {
  const steps = advantages.length / batch.rows;
  const groups = steps * batch.rows;
  const adv = tf.tensor2d(advantages, [groups, 1]);
  const ret = tf.tensor1d(returns);
  const oldLogProbs = tf.reshape(batch.logProbs, [groups, batch.perRow]);
  const actions = tf.reshape(batch.actions, [groups, batch.perRow]);
  // The value network's time input: t / T for every coordinate of step t.
  const progress = tf.tidy(() => tf.reshape(tf.tile(tf.reshape(tf.div(tf.range(0, steps), steps), [steps, 1]), [1, batch.rows * batch.perRow]), [-1, 1]));
  const variables = [...policy.policyVariables, ...policy.valueVariables];
  let last = NaN;
  try {
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const cost = optimizer.minimize(
        () => {
          const mean = tf.reshape(policy.meanAction(batch.features), [groups, batch.perRow]);
          const logProbs = gaussianLogProb(actions, mean, policy.logStd);
          const surrogate = clippedSurrogateLoss(logProbs, oldLogProbs, adv, config.clip);
          const valueLoss = tf.mean(tf.square(tf.sub(policy.values(batch.features, groups, progress as tf.Tensor2D), ret)));
          const entropy = gaussianEntropy(policy.logStd);
          return tf.sub(tf.add(surrogate, tf.mul(config.valueCoef, valueLoss)), tf.mul(config.entropyCoef, entropy)) as tf.Scalar;
        },
        true,
        variables,
      );
      last = cost === null ? NaN : ((await cost.data())[0] as number);
      cost?.dispose();
    }
  } finally {
    tf.dispose([adv, ret, oldLogProbs, actions, progress]);
  }
  return last;
}

export async function trainPpo(
  policy: CoordinatePolicy,
  family: TaskFamily,
  config: PpoConfig,
  onProgress?: ProgressCallback,
): Promise<MetaTrainReport> {
  const started = performance.now();
  const task = family.task;
  await task.prepare?.();
  const optimizer = toTfjsOptimizer(chain(clipByGlobalNorm(config.maxGradNorm), adam({ learningRate: config.learningRate })));
  const rule = policy.rule();
  const validationSeeds = Array.from({ length: config.validationTasks }, (_, i) => family.metaValidationSeed(i));
  const variables = [...policy.metaParams.values()];
  const report: MetaTrainReport = { method: `PPO (${config.reward} reward, ${config.tasksPerIteration} tasks × ${config.horizon} steps per iteration)`, curve: [], validation: [], bestIteration: 0, wallMs: 0 };
  const rewardScale = new RunningStd();

  const validate = () => scoreRule(rule as unknown as UpdateRule, task, validationSeeds, config.horizon);
  const best = new BestSnapshot(variables, await validate(), report, started);
  try {
    for (let iteration = 1; iteration <= config.iterations; iteration++) {
      const seeds = Array.from({ length: config.tasksPerIteration }, (_, j) => family.metaTrainSeed(trainingTaskIndex((iteration - 1) * config.tasksPerIteration + j, config.trainingTasks)));
      const batch = await rollout(policy, task, seeds, config.horizon, config.seed * 1_000_003 + iteration);
      try {
        const rewards = rolloutRewards(batch.losses, batch.diverged, config.reward);
        rewardScale.push(rewards.flat());
        const scaled = rewards.map((row) => row.map((r) => r / rewardScale.std));
        // The episode ends after T steps: the value after the last step is 0.
        const { advantages, returns } = generalizedAdvantages(scaled, [...batch.values, batch.values[0]!.map(() => 0)], config.gamma, config.lambda);
        await ppoUpdate(policy, optimizer, batch, standardize(advantages.flat()), returns.flat(), config);
        const finals = batch.losses[batch.losses.length - 1]!;
        const metaLoss = finals.reduce((a, b) => a + b, 0) / finals.length;
        await best.iteration(iteration, metaLoss, { every: config.validateEvery, last: config.iterations, validate, ...(onProgress === undefined ? {} : { onProgress }) });
      } finally {
        batch.dispose();
      }
    }
    best.finish();
  } finally {
    best.dispose();
    optimizer.dispose();
  }
  return report;
}
