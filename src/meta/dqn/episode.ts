/**
 * One batch of training episodes: R rows of one problem run T optimizee steps
 * side by side, each row with its own learning rate and its own ε-greedy draws.
 * Every step: read the losses, reward the previous actions (reward.ts), compute
 * the features (features.ts, shared with the frozen rule), store the transitions,
 * choose the next actions, make `updatesPerStep` Q-learning updates, and step the
 * optimizee with the base rule at each row's new learning rate.
 *
 * A learning rate that an action takes outside [lrMin, lrMax] is clipped into it,
 * as the deployed rule does (controllerRule.ts), and the reward sees the rate
 * asked for (reward priority 1); with `rangeMode: 'terminate'` the row ends instead.
 *
 * A row whose episode ends (the loss stopped being finite, it reached the
 * threshold, or — 'terminate' — the rate left its range) is frozen where it is — its
 * parameters stop moving, as in runGroup — and adds no more transitions; the batch
 * stops early once every row has ended. The last step of the horizon is terminal
 * (done = 1): the progress feature t / T makes the problem finite-horizon.
 */
import tf from '#tfjs';
import { lossAndGrad } from '../../loop/lossAndGrad.js';
import { stepRule } from '../../loop/step.js';
import { ruleFromSpec, treeTensors, type StateTree } from '../../rules/index.js';
import type { Task } from '../../tasks/types.js';
import type { MlpLayer } from '../../learned/policy/mlp.js';
import type { DqnConfig } from './config.js';
import { epsilonAt, epsilonGreedy } from './exploration.js';
import { computeFeatures, FEATURE_COUNT, initFeatureState, type FeatureState } from '../../learned/dqn/features.js';
import type { DqnLearner } from './learner.js';
import { baseRuleSpec, type DqnOptions } from '../../learned/dqn/options.js';
import { qValues } from '../../learned/dqn/qNetwork.js';
import type { ReplayBuffer } from './replay.js';
import { rewardFor, smoothLoss, type RewardConfig, type RewardReason } from './reward.js';

export interface EpisodeContext {
  options: DqnOptions;
  layers: readonly MlpLayer[];
  config: DqnConfig;
  reward: RewardConfig;
  learner: DqnLearner;
  replay: ReplayBuffer;
  random: () => number;
  /** Environment steps so far over all episodes (drives the ε decay); advanced here. */
  counter: { envSteps: number };
}

export interface EpisodeResult {
  /** Sum of rewards per row. */
  returns: number[];
  /** Optimizee steps each row took before its episode ended. */
  lengths: number[];
  /** The last finite loss of each row. */
  finalLosses: number[];
  /** What ended each row ('time' when it ran the full horizon). */
  endings: Array<Exclude<RewardReason, 'outOfRange'> | 'lrBelowRange' | 'lrAboveRange' | 'time'>;
  /** Mean Huber loss of this episode's Q-learning updates (NaN when none ran). */
  tdLoss: number;
  /** How often each reward priority decided, over all rows and steps. */
  reasons: Partial<Record<RewardReason, number>>;
  /** Per row, the learning rate each optimizee step used (what the deployed rule's trace records). */
  rates: number[][];
}

/** Features that went non-finite (a diverged row) are stored as 0 so that no NaN reaches the Q-network's targets. */
function finiteRow(values: Float32Array, row: number): Float32Array {
  const out = values.slice(row * FEATURE_COUNT, (row + 1) * FEATURE_COUNT);
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i]!)) out[i] = 0;
  return out;
}

export async function runEpisode(task: Task, seeds: readonly number[], ctx: EpisodeContext): Promise<EpisodeResult> {
  const { options, config } = ctx;
  const horizon = options.horizon;
  const actionCount = options.actions.length;
  const rows = seeds.length;
  const problem = task.instantiate(seeds);
  const base = ruleFromSpec(baseRuleSpec(options.baseRule));
  let theta = tf.clone(problem.start);
  let baseState: StateTree = base.init([theta]);
  let features: FeatureState = tf.tidy(() => initFeatureState(theta, options.window));
  const clip = (lr: number) => Math.min(options.lrMax, Math.max(options.lrMin, lr));
  // The rate each row's last action asked for (what the reward reads), and the rate it runs at.
  const asked = seeds.map(() => options.initialLearningRate);
  const learningRates = seeds.map(() => options.initialLearningRate);
  const active = seeds.map(() => true);
  const histories: number[][] = seeds.map(() => []);
  const best = seeds.map(() => Infinity);
  const pending: Array<{ state: Float32Array; action: number } | null> = seeds.map(() => null);
  const result: EpisodeResult = { returns: seeds.map(() => 0), lengths: seeds.map(() => horizon), finalLosses: seeds.map(() => NaN), endings: seeds.map(() => 'time'), tdLoss: NaN, reasons: {}, rates: seeds.map(() => []) };
  const tdLosses: number[] = [];
  try {
    for (let t = 0; t <= horizon; t++) {
      const { rows: rowLoss, grad } = lossAndGrad(task, problem, theta, t);
      const losses = await rowLoss.data();
      // Rewards of the previous actions, now that their losses are known.
      const outcomes = seeds.map((_, r) => {
        if (!active[r]) return null;
        // What the reward reads: the minibatch loss, or its moving average (config.rewardSmoothing).
        const raw = losses[r] as number;
        const loss = smoothLoss(histories[r]!.at(-1), raw, config.rewardSmoothing);
        const outcome = t === 0 ? null : rewardFor({ losses: [...histories[r]!.slice(1 - options.window), loss], bestBefore: best[r]!, learningRate: asked[r]!, steps: t }, ctx.reward);
        histories[r]!.push(loss);
        if (Number.isFinite(loss)) best[r] = Math.min(best[r]!, loss);
        if (Number.isFinite(raw)) result.finalLosses[r] = raw;
        return outcome;
      });
      const lrTensor = tf.tensor2d(learningRates.map(clip), [rows, 1]);
      const safeLoss = tf.tidy(() => tf.where(tf.isFinite(rowLoss), rowLoss, tf.onesLike(rowLoss)));
      const safeGrad = tf.tidy(() => tf.where(tf.isFinite(grad), grad, tf.zerosLike(grad))) as tf.Tensor2D;
      const observed = computeFeatures({ loss: safeLoss, params: theta, grads: safeGrad, learningRate: lrTensor as tf.Tensor2D, progress: t / horizon }, features);
      const values = (await observed.features.data()) as Float32Array;
      outcomes.forEach((outcome, r) => {
        if (outcome === null) return;
        const done = outcome.done || t === horizon;
        const previous = pending[r]!;
        ctx.replay.push({ state: previous.state, action: previous.action, reward: outcome.reward, next: finiteRow(values, r), done });
        result.returns[r]! += outcome.reward;
        result.reasons[outcome.reason] = (result.reasons[outcome.reason] ?? 0) + 1;
        if (outcome.done) {
          active[r] = false;
          result.lengths[r] = t;
          // Which side of the range a rate left by (diagnostics in the report).
          result.endings[r] = outcome.reason === 'outOfRange' ? (asked[r]! < options.lrMin ? 'lrBelowRange' : 'lrAboveRange') : outcome.reason;
        }
      });
      const finished = t === horizon || !active.some((a) => a);
      let q: Float32Array | undefined;
      if (!finished) {
        const qTensor = tf.tidy(() => qValues(ctx.layers, observed.features));
        q = (await qTensor.data()) as Float32Array;
        qTensor.dispose();
      }
      tf.dispose([rowLoss, grad, observed.features, ...treeTensors(features)]);
      features = observed.state;
      if (finished || q === undefined) {
        tf.dispose([lrTensor, safeLoss, safeGrad]);
        break;
      }

      // Act: ε-greedy on the online Q-network, per row.
      const epsilon = epsilonAt(ctx.counter.envSteps, config);
      seeds.forEach((_, r) => {
        if (!active[r]) return;
        const action = epsilonGreedy(q!, r * actionCount, actionCount, epsilon, ctx.random);
        pending[r] = { state: finiteRow(values, r), action };
        asked[r] = learningRates[r]! * options.actions[action]!;
        learningRates[r] = ctx.reward.rangeMode === 'clip' ? clip(asked[r]!) : asked[r]!;
        result.rates[r]!.push(clip(learningRates[r]!));
      });
      ctx.counter.envSteps++;

      // Learn: Q-learning minibatch updates from the replay buffer.
      for (let u = 0; u < config.updatesPerStep; u++) {
        if (ctx.replay.size < Math.max(config.batchSize, config.learningStarts)) break;
        tdLosses.push(await ctx.learner.learn(ctx.replay.sample(config.batchSize, ctx.random)));
      }

      // Step the optimizee at the new learning rates (clipped: with 'terminate', a row that left the range ends at the next reward).
      const nextRate = tf.tensor2d(learningRates.map(clip), [rows, 1]);
      const alive = tf.tensor2d(active.map((a) => (a ? 1 : 0)), [rows, 1], 'bool');
      const at = { theta, state: baseState, grad: safeGrad, loss: safeLoss, step: t, alive, overrides: { learningRate: nextRate as unknown as tf.Scalar } };
      const next = tf.tidy(() => stepRule(base, problem, at));
      tf.dispose([lrTensor, safeLoss, safeGrad, nextRate, alive, theta, ...treeTensors(baseState), ...Object.values(next.trace)]);
      theta = next.theta;
      baseState = next.state;
    }
  } finally {
    tf.dispose([theta, ...treeTensors(baseState), ...treeTensors(features)]);
    problem.dispose();
  }
  if (tdLosses.length > 0) result.tdLoss = tdLosses.reduce((a, b) => a + b, 0) / tdLosses.length;
  return result;
}
