/**
 * Meta-training of the DQN controller (Zhu et al.): episodes of T optimizee steps
 * on tasks of the family, transitions into a replay buffer, one Q-learning
 * minibatch update per environment step (learner.ts), a target network, ε-greedy
 * exploration with a linear decay. Every `validateEvery` episodes the greedy
 * frozen controller runs on held-out validation seeds (16 by default, scored by the
 * interquartile mean); the best weights among those validated after ε reached its
 * floor (and the last episode's) are kept.
 *
 * Protocols: 'fixed' starts every episode from one meta-train seed (the same
 * initial parameters and minibatch order, as the paper's fixed start point);
 * 'random' draws a new meta-train seed for every episode and row.
 */
import { BestSnapshot } from '../bestSnapshot.js';
import { lastQuarterScore, scoreRule } from '../../loop/score.js';
import { hashSeed, rng } from '../../random.js';
import { iqm, mean as meanOf } from '../../reporting/stats/centre.js';
import type { UpdateRule } from '../../rules/index.js';
import type { Task, TaskFamily } from '../../tasks/types.js';
import type { MlpLayer } from '../../learned/policy/mlp.js';
import type { MetaTrainReport, ProgressCallback } from '../../learned/types.js';
import { rewardConfigOf, type DecodedDqnConfig } from './config.js';
import { runEpisode, type EpisodeResult } from './episode.js';
import { epsilonAt } from './exploration.js';
import { FEATURE_COUNT } from '../../learned/dqn/features.js';
import { DqnLearner } from './learner.js';
import type { DqnOptions } from '../../learned/dqn/options.js';
import { layerVariables } from '../../learned/dqn/qNetwork.js';
import { ReplayBuffer } from './replay.js';

/** What the trainer needs of the controller. */
export interface TrainableController {
  readonly options: DqnOptions;
  readonly qLayers: readonly MlpLayer[];
  rule(): UpdateRule;
}

/** Per-episode details beyond the generic report (the runner saves the whole report in metatrain.json). */
export interface DqnMetaTrainReport extends MetaTrainReport {
  description: string;
  protocol: 'fixed' | 'random';
  initialLearningRate: number;
  episodes: Array<{ episode: number; meanReturn: number; meanFinalLoss: number; meanLength: number; epsilon: number; tdLoss: number | null; endings: Record<string, number>; reasons: Record<string, number> }>;
  /** The first episode whose validation could be selected (ε at its floor), or the last episode if ε never got there. */
  selectableFrom: number;
  /** The reward's terminal penalty (leaving the range with 'terminate', diverging): below any return of staying. */
  exitPenalty: number;
}

/** The validation score of a frozen controller: over `seeds`, the mean (or IQM) of each run's mean training loss over the last quarter of a T-step run. */
export const validateController = (rule: UpdateRule, task: Task, seeds: number[], steps: number, score: 'mean' | 'iqm' = 'mean') =>
  scoreRule(rule, task, seeds, steps, lastQuarterScore, score === 'iqm' ? iqm : meanOf);

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function trainDqn(controller: TrainableController, family: TaskFamily, config: DecodedDqnConfig, onProgress?: ProgressCallback): Promise<DqnMetaTrainReport> {
  const { options } = controller;
  const started = performance.now();
  const task = family.task;
  await task.prepare?.();
  // The task's own threshold (a suite task entry may set one) unless the config names one.
  const reward = rewardConfigOf(config, options, config.thresholdFromTask ? (task.threshold ?? config.threshold) : config.threshold);
  const rows = config.parallelEpisodes;
  const report: DqnMetaTrainReport = {
    method: 'dqn',
    description: `DQN, ${config.protocol} start, ${rows} × ${options.horizon}-step episodes side by side, η₀ = ${options.initialLearningRate}, base rule ${JSON.stringify(options.baseRule)}, range ${config.rangeMode}, reward loss ${config.rewardSmoothing === 0 ? 'raw minibatch' : `EMA β = ${config.rewardSmoothing}`}`,
    curve: [],
    validation: [],
    bestIteration: 0,
    wallMs: 0,
    protocol: config.protocol,
    initialLearningRate: options.initialLearningRate,
    episodes: [],
    selectableFrom: config.episodes,
    exitPenalty: reward.exitPenalty,
  };
  const fixedSeed = config.fixedSeed ?? family.metaTrainSeed(0);
  const validate = () => validateController(rule, task, validationSeeds, options.horizon, config.validationScore);
  const rule = controller.rule();
  const validationSeeds = Array.from({ length: config.validationTasks }, (_, i) => family.metaValidationSeed(i));
  const learner = new DqnLearner(controller.qLayers, {
    gamma: config.gamma,
    learningRate: config.learningRate,
    huberDelta: config.huberDelta,
    targetSync: config.targetSync,
    maxGradNorm: config.maxGradNorm,
  });
  const best = new BestSnapshot(layerVariables(controller.qLayers), await validate(), report, started, !config.selectAfterEpsilonFloor);
  const context = {
    options,
    layers: controller.qLayers,
    config,
    reward,
    learner,
    replay: new ReplayBuffer(config.replayCapacity, FEATURE_COUNT),
    random: rng(hashSeed(config.seed, 0xd9)),
    counter: { envSteps: 0 },
  };
  try {
    for (let episode = 1; episode <= config.episodes; episode++) {
      const seeds = Array.from({ length: rows }, (_, r) => config.protocol === 'fixed' ? fixedSeed : family.metaTrainSeed((episode - 1) * rows + r));
      const epsilon = epsilonAt(context.counter.envSteps, config);
      const result: EpisodeResult = await runEpisode(task, seeds, context);
      const endings: Record<string, number> = {};
      for (const e of result.endings) endings[e] = (endings[e] ?? 0) + 1;
      const meanReturn = mean(result.returns);
      report.episodes.push({
        episode,
        meanReturn,
        meanFinalLoss: mean(result.finalLosses),
        meanLength: mean(result.lengths),
        epsilon,
        tdLoss: Number.isFinite(result.tdLoss) ? result.tdLoss : null,
        endings,
        reasons: result.reasons,
      });
      // The curve's meta-loss is the negated mean return (lower is better, as for the other meta-trainers).
      // ε after this episode: snapshots taken while it still explores heavily are mostly untrained.
      const atFloor = context.counter.envSteps >= config.epsilonDecaySteps;
      const eligible = !config.selectAfterEpsilonFloor || atFloor || episode === config.episodes;
      if (eligible && (episode % config.validateEvery === 0 || episode === config.episodes)) report.selectableFrom = Math.min(report.selectableFrom, episode);
      await best.iteration(episode, -meanReturn, { every: config.validateEvery, last: config.episodes, validate, eligible, ...(onProgress === undefined ? {} : { onProgress }) });
    }
    best.finish();
  } finally {
    best.dispose();
    learner.dispose();
  }
  return report;
}
