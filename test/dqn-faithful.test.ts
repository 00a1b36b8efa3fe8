/**
 * Issue #18, the DQN controller's reward design and snapshot selection:
 * exiting the learning-rate range never pays (on synthetic reward sequences),
 * training and deployment treat the range alike, a slow but healthy run fires
 * "η too small", a healthy noisy run has a mean reward ≥ 0 with the default
 * smoothing, and the kept snapshot is chosen on 16 seeds by a robust score
 * only once ε has reached its floor. Serial: the leak checks read the global tensor count.
 */
import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { DqnController } from '../src/learned/index.js';
import { FEATURE_COUNT } from '../src/learned/dqn/index.js';
import { decodeDqnConfig, DQN_DEFAULTS, exitPenaltyFor, ReplayBuffer, rewardConfigOf, rewardFor, smoothLoss, DqnLearner, type DqnMetaTrainReport, type RewardConfig } from '../src/meta/dqn/index.js';
import { runEpisode } from '../src/meta/dqn/episode.js';
import { metaTrain } from '../src/meta/metaTrain.js';
import { iqm as interquartileMean } from '../src/reporting/stats/centre.js';
import { rng } from '../src/random.js';
import { runGroup } from '../src/suite/execute.js';
import { familyOf, logisticRegressionTask, type Task } from '../src/tasks/index.js';

test.before(async () => {
  await setupBackend('cpu');
});

const CONTROLLER = { lrMin: 0.001, lrMax: 0.5, window: 20, horizon: 250 };
const defaults = (overrides: Record<string, unknown> = {}): RewardConfig => rewardConfigOf(decodeDqnConfig(overrides), CONTROLLER, 0.02);

/** The rewards a run collects from step `from` on, staying in range at `lr`, given its (reward-side) losses. */
function stayRewards(losses: number[], from: number, config: RewardConfig, lr: number): number[] {
  const out: number[] = [];
  let best = Math.min(...losses.slice(0, from));
  for (let t = from; t < losses.length; t++) {
    const o = rewardFor({ losses: losses.slice(Math.max(0, t + 1 - config.window), t + 1), bestBefore: best, learningRate: lr, steps: t }, config);
    out.push(o.reward);
    best = Math.min(best, losses[t]!);
    if (o.done) break;
  }
  return out;
}
const discounted = (rewards: number[], gamma: number) => rewards.reduceRight((g, r) => r + gamma * g, 0);

test('exiting the range never pays: on random loss sequences the discounted return of leaving is below that of staying, in both range modes', (t) => {
  const gamma = DQN_DEFAULTS.gamma;
  const losses = fc.array(fc.double({ min: 0.03, max: 5, noNaN: true }), { minLength: 25, maxLength: 120 });
  fc.assert(
    fc.property(losses, fc.nat(), fc.double({ min: 0.001, max: 0.5, noNaN: true }), fc.constantFrom(0.9, 0.95, 0.99), (ls, at, lr, g) => {
      const k = 1 + (at % (ls.length - 1));
      for (const rangeMode of ['clip', 'terminate'] as const) {
        const config = { ...defaults({ rangeMode, gamma: g }) };
        const stay = stayRewards(ls, k, config, lr);
        const window = ls.slice(Math.max(0, k + 1 - config.window), k + 1);
        const best = Math.min(...ls.slice(0, k));
        const exit = rewardFor({ losses: window, bestBefore: best, learningRate: 0.5 / 0.9, steps: k }, config);
        if (rangeMode === 'terminate') {
          // Leaving ends the episode: its return is the penalty alone, against any continuation.
          if (!(exit.done && exit.reward < discounted(stay, g))) return false;
        } else {
          // Clipped: asking to leave lands in the same state as staying at the bound, so it must pay less on this step.
          if (!(!exit.done && exit.reward < stay[0]!)) return false;
        }
      }
      return true;
    }),
    { numRuns: 300, seed: 18 },
  );
  // The paper's constants (−10 and the episode ends, γ = 0.95): staying on "too big" steps is worth about −20, so leaving paid.
  const paper: RewardConfig = { ...defaults({ rangeMode: 'terminate' }), exitPenalty: -10 };
  const noisy = Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? 1 : 1.2));
  t.true(discounted(stayRewards(noisy, 20, paper, 0.1), gamma) < paper.exitPenalty, 'the old design: exiting beat staying');
  t.true(exitPenaltyFor(paper, gamma) < discounted(stayRewards(noisy, 20, paper, 0.1), gamma));
  t.throws(() => decodeDqnConfig({ outOfRangeReward: -0.5 }), { message: /metaTrain\.outOfRangeReward: must be below tooSmallReward/ });
});

test('"η too small" fires on a slow but healthy run (loss −0.15 % per step), not on a healthy one; the old range test missed it', (t) => {
  const config = defaults();
  const decay = (k: number) => Array.from({ length: 60 }, (_, i) => 2 * Math.exp(-k * i));
  const at = (ls: number[], step: number) => rewardFor({ losses: ls.slice(step + 1 - 20, step + 1), bestBefore: Math.min(...ls.slice(0, step)), learningRate: 0.01, steps: step }, config);
  const slow = decay(0.0015);
  t.is(at(slow, 40).reason, 'tooSmall');
  // The old priority 2, (max − min) of the window < tolerance · mean, does not see it.
  const window = slow.slice(21, 41);
  t.false(Math.max(...window) - Math.min(...window) < config.flatTolerance * (window.reduce((a, b) => a + b, 0) / 20));
  t.is(at(decay(0.02), 40).reason, 'newMinimum');
  t.is(at(Array.from({ length: 60 }, () => 2.3), 40).reason, 'tooSmall', 'a dead, flat run still fires it');
});

test('with the default smoothing a healthy noisy run earns a mean reward ≥ 0; the raw minibatch loss makes it negative', (t) => {
  const random = rng(5);
  const raw = Array.from({ length: 250 }, (_, i) => (2.3 / (1 + 0.03 * i)) * (1 + 0.3 * (2 * random() - 1)));
  const meanReward = (beta: number) => {
    const config = defaults({ rewardSmoothing: beta });
    const seen: number[] = [];
    let best = Infinity;
    let total = 0;
    for (const loss of raw) {
      const s = smoothLoss(seen.at(-1), loss, beta);
      if (seen.length > 0) total += rewardFor({ losses: [...seen.slice(-19), s], bestBefore: best, learningRate: 0.05, steps: seen.length }, config).reward;
      seen.push(s);
      best = Math.min(best, s);
    }
    return total / (raw.length - 1);
  };
  const beta = decodeDqnConfig({}).rewardSmoothing;
  t.log(`mean reward: raw ${meanReward(0).toFixed(3)}, smoothed (β = ${beta}) ${meanReward(beta).toFixed(3)}`);
  t.true(meanReward(0) < 0);
  t.true(meanReward(beta) >= 0);
});

test('the interquartile mean ignores a diverged and a lucky seed that would decide the mean', (t) => {
  t.is(interquartileMean([1, 2, 3, 4]), 2.5);
  t.is(interquartileMean([5, 1, 3, 2, 4, 6, 7, 8]), 4.5);
  const scores = [0.3, 0.31, 0.29, 0.3, 0.32, 0.28, 0.3, 0.3, 0.31, 0.29, 0.3, 0.3, 0.3, 0.3, 0.001, Infinity];
  t.true(Math.abs(interquartileMean(scores) - 0.3) < 0.01);
  t.true(interquartileMean([1, 2, 3]) > 1 && interquartileMean([1, 2, 3]) < 3);
});

/** Forces the greedy action to `action` by a large output bias. */
function forceAction(controller: DqnController, action: number): void {
  const last = controller.qLayers[controller.qLayers.length - 1]!;
  const bias = tf.tensor1d(Array.from({ length: last.bias.shape[0]! }, (_, a) => (a === action ? 100 : 0)));
  last.bias.assign(bias);
  bias.dispose();
}

test.serial('training and deployment treat the range alike: an "always raise" controller runs the whole episode at the clipped rate the deployed rule uses', async (t) => {
  const task = logisticRegressionTask();
  const horizon = 40;
  const controller = new DqnController({ horizon, hidden: [8], actions: [0.5, 1, 2] });
  forceAction(controller, 2);
  const seeds = [3_000_000, 3_000_001];
  const episode = async (rangeMode: 'clip' | 'terminate') => {
    const config = decodeDqnConfig({ epsilonStart: 0, epsilonEnd: 0, learningStarts: 1_000_000, rangeMode });
    const learner = new DqnLearner(controller.qLayers, { gamma: 0.95, learningRate: 0.001, huberDelta: 1, targetSync: 100, maxGradNorm: 10 });
    const before = tf.memory().numTensors;
    const out = await runEpisode(task, seeds, {
      options: controller.options, layers: controller.qLayers, config, reward: rewardConfigOf(config, controller.options, 0.02),
      learner, replay: new ReplayBuffer(100, FEATURE_COUNT), random: rng(1), counter: { envSteps: 0 },
    });
    t.is(tf.memory().numTensors, before, `${rangeMode}: the episode leaked nothing`);
    learner.dispose();
    return out;
  };
  const clipped = await episode('clip');
  const records = await runGroup({ task, optimizer: 'dqn', rows: seeds.map((seed) => ({ seed, hparams: {} })), steps: horizon, backend: 'cpu', buildRule: () => ({ rule: controller.rule(), dispose: () => undefined }), trajectoryPoints: 0 });
  records.forEach((r, row) => {
    const deployed = r.traces!['learningRate']!.map((x) => x!);
    t.is(clipped.rates[row]!.length, horizon);
    clipped.rates[row]!.forEach((rate, k) => t.true(Math.abs(rate - deployed[k]!) <= 1e-6 * deployed[k]!, `row ${row}, step ${k}: training ${rate} vs deployment ${deployed[k]}`));
  });
  t.is(clipped.rates[0]!.at(-1), 0.5, 'pinned at lrMax');
  t.deepEqual(clipped.endings, ['time', 'time'], 'clip: asking to leave does not end the episode');
  t.true((clipped.reasons.outOfRange ?? 0) > 0, 'but it is penalised');
  const terminated = await episode('terminate');
  t.deepEqual(terminated.endings, ['lrAboveRange', 'lrAboveRange'], "the paper's 'terminate' mode (labelled) ends it");
  controller.dispose();
});

test.serial('the kept snapshot is chosen on 16 validation seeds by the IQM, only among validations after ε reached its floor', async (t) => {
  const base = logisticRegressionTask();
  const validationSeeds = new Set<number>();
  const task = Object.assign(Object.create(base) as object, {
    instantiate(seeds: readonly number[]) {
      for (const s of seeds) if (s >= 2_000_000) validationSeeds.add(s);
      return base.instantiate(seeds);
    },
  }) as Task;
  const controller = new DqnController({ horizon: 10, hidden: [8] });
  const before = tf.memory().numTensors;
  // ε reaches its floor after 25 environment steps: during episode 3 of 5 (10 steps each).
  const report = (await metaTrain(controller, familyOf(task), { episodes: 5, validateEvery: 1, epsilonDecaySteps: 25, learningStarts: 8, batchSize: 8, protocol: 'fixed' })) as DqnMetaTrainReport;
  t.is(tf.memory().numTensors, before, 'no tensors leaked');
  t.is(validationSeeds.size, 16, 'validated on 16 seeds');
  t.deepEqual(report.validation.map((v) => v.iteration), [0, 1, 2, 3, 4, 5], 'every validation is recorded');
  t.is(report.selectableFrom, 3);
  t.true(report.bestIteration >= 3, `kept episode ${report.bestIteration}`);
  const chosen = report.validation.find((v) => v.iteration === report.bestIteration)!.loss;
  t.is(chosen, Math.min(...report.validation.filter((v) => v.iteration >= 3).map((v) => v.loss)));
  t.true(report.exitPenalty < -200);
  controller.dispose();
});
