/**
 * The truncated meta-training loop shared by every meta-gradient estimator:
 * a batch of tasks is unrolled truncation by truncation; after each truncation
 * the estimator's meta-gradient steps Adam (with meta-gradient clipping) and the
 * optimizee's θ and the rule's state carry over; fresh tasks are drawn every
 * `horizon` steps; the frozen rule is validated on held-out tasks every
 * `validateEvery` iterations and the best meta-parameters are kept.
 */
import tf from '#tfjs';
import { BestSnapshot } from './bestSnapshot.js';
import type { LearnedOptimizer, MetaTrainReport, ProgressCallback } from '../learned/types.js';
import { adam, chain, clipByGlobalNorm, treeTensors, type StateTree } from '../rules/index.js';
import { toTfjsOptimizer } from '../rules/tfjsOptimizer.js';
import type { Problem, TaskFamily } from '../tasks/types.js';
import type { MetaTrainConfig } from './config.js';
import { combineEstimates, microBatchLengths, sizeTruncationMicroBatch } from './microBatch.js';
import { scoreRule } from '../loop/score.js';
import { objectiveScore } from './objective.js';

import type { Estimate, Estimator } from './estimator.js';

export type { Estimate, EstimateArgs, Estimator } from './estimator.js';

export async function trainTruncated(
  optimizer: LearnedOptimizer,
  family: TaskFamily,
  config: MetaTrainConfig,
  estimator: Estimator,
  onProgress?: ProgressCallback,
): Promise<MetaTrainReport> {
  const started = performance.now();
  const task = family.task;
  await task.prepare?.();
  const variables = [...optimizer.metaParams.values()];
  const metaAdam = adam({ learningRate: config.metaLearningRate });
  const metaOptimizer = toTfjsOptimizer(config.clipNorm === 0 ? metaAdam : chain(clipByGlobalNorm(config.clipNorm), metaAdam));
  const rule = optimizer.rule();
  const validationSeeds = Array.from({ length: config.validationTasks }, (_, i) => family.metaValidationSeed(i));
  const report: MetaTrainReport = { method: estimator.name(config), curve: [], validation: [], bestIteration: 0, wallMs: 0 };
  const validate = () => scoreRule(rule, task, validationSeeds, config.horizon, objectiveScore(task, config.metaLoss));

  const best = new BestSnapshot(variables, await validate(), report, started);

  const seedOf = (drawn: number) => family.metaTrainSeed(config.seed * 100_000 + drawn);
  // A tape grows with the tasks unrolled together: unroll them in micro-batches that fit (one task measured).
  let lengths = [config.tasksPerIteration];
  if (estimator.holdsTape === true && config.tasksPerIteration > 1) {
    const size = await sizeTruncationMicroBatch({ estimator, rule, task, seed: seedOf(0), variables, config });
    lengths = microBatchLengths(config.tasksPerIteration, size.tasks);
    report.microBatch = { ...size, count: lengths.length };
  }

  let drawn = 0;
  // Each micro-batch: its own problem (the tasks are independent rows) and seeds, θ and state, carried across truncations.
  let parts: Array<{ problem: Problem; seeds: number[]; theta: tf.Tensor2D; state: StateTree }> = [];
  let step = 0;
  const release = () => {
    for (const part of parts) {
      part.problem.dispose();
      tf.dispose([part.theta, ...treeTensors(part.state)]);
    }
    parts = [];
  };
  const freshTasks = () => {
    release();
    for (const length of lengths) {
      const seeds = Array.from({ length }, () => seedOf(drawn++));
      const problem = task.instantiate(seeds);
      const theta = tf.clone(problem.start);
      parts.push({ problem, seeds, theta, state: rule.init([theta]) });
    }
    step = 0;
  };

  try {
    freshTasks();
    for (let iteration = 1; iteration <= config.iterations; iteration++) {
      if (step >= config.horizon) freshTasks();
      const estimates: Estimate[] = [];
      for (const part of parts) {
        estimates.push(await estimator.estimate({ rule, problem: part.problem, task, seeds: part.seeds, from: { theta: part.theta, state: part.state, step }, variables, config, iteration }));
      }
      const estimate = combineEstimates(estimates, lengths);
      if (Number.isFinite(estimate.metaLoss) && estimate.grads.every((g) => g !== undefined)) {
        metaOptimizer.applyGradients(variables.map((v, i) => ({ name: v.name, tensor: estimate.grads[i]! })));
        parts.forEach((part, i) => {
          tf.dispose([part.theta, ...treeTensors(part.state)]);
          part.theta = estimates[i]!.carried.theta;
          part.state = estimates[i]!.carried.state;
        });
        step += config.unroll;
      } else {
        // The unroll blew up (a bad φ or a hard task): drop it and draw new tasks.
        estimates.forEach((e) => tf.dispose([e.carried.theta, ...treeTensors(e.carried.state)]));
        step = config.horizon;
      }
      tf.dispose(estimate.grads.filter((g) => g !== undefined));
      await best.iteration(iteration, estimate.metaLoss, { every: config.validateEvery, last: config.iterations, validate, ...(onProgress === undefined ? {} : { onProgress }) });
    }
    // Keep the meta-parameters that did best on held-out tasks.
    best.finish();
  } finally {
    best.dispose();
    release();
    metaOptimizer.dispose();
  }
  return report;
}
