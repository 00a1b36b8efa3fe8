/**
 * The trivial learned optimizer: a learned learning rate for each of the first
 * `horizon` steps (log-parameterised, so it stays positive), applied to a base
 * direction — the raw gradient ('sgd') or Adam's normalised moment ('adam').
 * Meta-trained by truncated BPTT on a task family. It exists to prove the
 * LearnedOptimizer interface end to end, and is a fair baseline in its own right
 * (a meta-learned step-size schedule).
 *
 * Online mode adapts the schedule while it runs by hyper-gradient descent
 * (Baydin et al. 2018): ∂f(θₜ)/∂log ηₜ₋₁ = ∇f(θₜ)·uₜ₋₁, where uₜ₋₁ is the previous update.
 */
import tf from '#tfjs';
import type * as t from 'io-ts';
import { decodeOrThrow } from '../codec/decode.js';
import { options } from '../codec/strict.js';
import * as values from '../codec/values.js';
import { chain, scaleByAdam, type StateTree, type UpdateRule } from '../rules/index.js';
import { cloneLearned } from './clone.js';
import { registerLearnedOptimizer } from './kinds.js';
import type { JsonValue, LearnedOptimizer } from './types.js';

/** The options, declared once: types, ranges and defaults (suites, checkpoints and the constructor decode with it). */
export const LR_SCHEDULE_OPTIONS = options(
  'lr-schedule options',
  {
    horizon: values.positiveInt,
    initialLearningRate: values.positive,
    base: values.oneOf(['sgd', 'adam']),
    /** Step size of the online hyper-gradient adaptation (log-learning-rate units). */
    onlineRate: values.finite,
  },
  { horizon: 100, initialLearningRate: 0.01, base: 'sgd', onlineRate: 0.02 },
);
export type LrScheduleOptions = t.TypeOf<typeof LR_SCHEDULE_OPTIONS>;

export class LearnedLrSchedule implements LearnedOptimizer {
  /** Its rule is differentiable in φ: truncated BPTT and ES train it. */
  readonly differentiable = true;
  readonly kind = 'lr-schedule';
  readonly version = 1;
  readonly hyperParams: Record<string, JsonValue>;
  readonly metaParams: ReadonlyMap<string, tf.Variable>;
  private readonly options: LrScheduleOptions;
  private readonly logLearningRate: tf.Variable;

  constructor(options: Partial<LrScheduleOptions> = {}) {
    this.options = decodeOrThrow(LR_SCHEDULE_OPTIONS, options, 'lr-schedule');
    this.hyperParams = { ...this.options };
    const initial = tf.fill([this.options.horizon], Math.log(this.options.initialLearningRate));
    this.logLearningRate = tf.variable(initial, true, `lr-schedule/logLearningRate/${Math.random().toString(36).slice(2)}`);
    initial.dispose(); // the variable holds its own reference to the data
    this.metaParams = new Map([['logLearningRate', this.logLearningRate]]);
  }

  /** ηₜ as a scalar tensor (steps past the horizon reuse the last entry). */
  private learningRateAt(step: number): tf.Scalar {
    const index = Math.min(step, this.options.horizon - 1);
    return tf.exp(tf.reshape(tf.slice(this.logLearningRate, [index], [1]), [])) as tf.Scalar;
  }

  private learnedStep(): UpdateRule {
    return {
      init: () => [],
      update: ({ grads, step }) => {
        const lr = this.learningRateAt(step);
        return { updates: grads.map((g) => tf.mul(g, tf.neg(lr))), state: [] };
      },
    };
  }

  rule(): UpdateRule {
    return this.options.base === 'adam' ? chain(scaleByAdam() as UpdateRule, this.learnedStep()) : chain(this.learnedStep());
  }

  /** The rule plus hyper-gradient adaptation of the schedule entry in use (mutates φ as it runs). */
  onlineRule(): UpdateRule {
    const inner = this.rule();
    const rule: UpdateRule<{ inner: StateTree; previous: tf.Tensor[] }> = {
      init: (params) => ({ inner: inner.init(params), previous: params.map((p) => tf.zerosLike(p)) }),
      update: (input, state) => {
        const hyperGradient = tf.addN(input.grads.map((g, i) => tf.sum(tf.mul(g, state.previous[i] as tf.Tensor))));
        const index = Math.min(input.step, this.options.horizon - 1);
        const delta = tf.mul(tf.oneHot(tf.tensor1d([index], 'int32'), this.options.horizon).reshape([this.options.horizon]), tf.mul(hyperGradient, -this.options.onlineRate));
        if (input.step > 0) this.logLearningRate.assign(tf.add(this.logLearningRate, delta));
        const out = inner.update(input, state.inner);
        return { updates: out.updates, state: { inner: out.state, previous: out.updates } };
      },
    };
    return rule as unknown as UpdateRule;
  }

  /** Meta-training unrolls the schedule's own horizon, on a scale-free (log) objective. */
  get metaTrainDefaults(): Record<string, JsonValue> {
    return { horizon: this.options.horizon, metaLoss: 'log' };
  }

  clone(): LearnedOptimizer {
    return cloneLearned(this);
  }

  /** The current schedule (for reports). */
  async schedule(): Promise<number[]> {
    const values = await this.logLearningRate.data();
    return Array.from(values, Math.exp);
  }

  dispose(): void {
    this.logLearningRate.dispose();
  }
}

// The schedule itself is φ; online, the step size of its hyper-gradient adaptation.
registerLearnedOptimizer({ kind: 'lr-schedule', options: LR_SCHEDULE_OPTIONS, create: (options) => new LearnedLrSchedule(options), deployment: (_, mode) => (mode === 'online' ? ['onlineRate'] : []) });
