/**
 * The appendix variant of Xu et al.: one controller learns online over several
 * repeated training runs (episodes on fresh meta-train seeds, `tasksPerEpisode`
 * runs side by side), its feedback weighted by h(t) when the controller says so;
 * then it is frozen. Every `validateEvery` episodes the frozen actor runs on
 * held-out validation seeds and the weights with the lowest mean final loss are kept.
 */
import tf from '#tfjs';
import { BestSnapshot } from '../bestSnapshot.js';
import { scoreRule } from '../../loop/score.js';
import { driveRows } from '../../loop/drive.js';
import type { UpdateRule } from '../../rules/index.js';
import type { TaskFamily } from '../../tasks/types.js';
import type { MetaTrainReport, ProgressCallback } from '../../learned/types.js';
import type { ActorCriticConfig } from './config.js';

export interface TrainableActorCritic {
  readonly metaParams: ReadonlyMap<string, tf.Variable>;
  rule(): UpdateRule;
  /** An online rule whose optimizers persist across the episodes it is used for; `dispose` frees them. */
  learningRule(): { rule: UpdateRule; dispose(): void };
}

/** Runs one episode of `rule` on `seeds` (the one optimizee loop); returns the rows' mean final loss. */
async function episode(rule: UpdateRule, family: TaskFamily, seeds: number[], horizon: number): Promise<number> {
  const problem = family.task.instantiate(seeds);
  let value = Infinity;
  try {
    await driveRows({
      task: family.task,
      problem,
      rule,
      steps: horizon,
      hooks: {
        onLoss: async (rows, _step, _theta, final) => {
          if (!final) return;
          const mean = tf.mean(rows);
          value = (await mean.data())[0]!;
          mean.dispose();
        },
      },
    });
    return Number.isFinite(value) ? value : Infinity;
  } finally {
    problem.dispose();
  }
}

export async function trainActorCritic(controller: TrainableActorCritic, family: TaskFamily, config: ActorCriticConfig, onProgress?: ProgressCallback): Promise<MetaTrainReport> {
  const started = performance.now();
  const report: MetaTrainReport = { method: 'actor-critic', curve: [], validation: [], bestIteration: 0, wallMs: 0 };
  await family.task.prepare?.();
  const validationSeeds = Array.from({ length: config.validationTasks }, (_, i) => family.metaValidationSeed(i));
  const validate = () => scoreRule(controller.rule(), family.task, validationSeeds, config.horizon);
  const best = new BestSnapshot([...controller.metaParams.values()], await validate(), report, started);
  const learning = controller.learningRule();
  try {
    for (let e = 1; e <= config.episodes; e++) {
      const seeds = Array.from({ length: config.tasksPerEpisode }, (_, r) => family.metaTrainSeed(config.seed * 100_003 + e * config.tasksPerEpisode + r));
      const finalLoss = await episode(learning.rule, family, seeds, config.horizon);
      await best.iteration(e, finalLoss, { every: config.validateEvery, last: config.episodes, validate, ...(onProgress === undefined ? {} : { onProgress }) });
    }
    best.finish();
  } finally {
    learning.dispose();
    best.dispose();
  }
  return report;
}
