/**
 * Li & Malik's "Learning to Optimize" (2016): the optimizer is a policy that, at
 * every step, looks at each coordinate's recent history (gradients, parameter
 * changes, loss changes) and chooses that coordinate's move. One small network is
 * shared by all coordinates and run over them as one batch.
 *
 * Two action spaces:
 * - 'step': the action is the step itself, Δθ = stepScale · a;
 * - 'learningRate': the action is a log learning rate, Δθ = −baseLearningRate · e^a · g.
 * Training uses a Gaussian policy N(μ(x), σ²) with a learned log σ (PPO, see
 * src/meta/ppo/); the frozen optimizer applies the mean μ(x).
 *
 * Two feature sets (history.ts): 'normalised' (scale-free windows, the default) and
 * 'paper' — Li & Malik's raw observation per coordinate. The paper's variant is
 * `{features: 'paper', action: 'step', stepScale: 1, hidden: [50], activation: 'relu',
 * history: 25}`: the action is the step Δx itself, as in their released code (whose
 * policy sees the whole vector at once; ours shares one network over coordinates).
 */
import tf from '#tfjs';
import type * as t from 'io-ts';
import { decodeOrThrow } from '../../codec/decode.js';
import { options } from '../../codec/strict.js';
import * as values from '../../codec/values.js';
import type { UpdateRule } from '../../rules/index.js';
import { cloneLearned } from '../clone.js';
import { registerLearnedOptimizer } from '../kinds.js';
import type { JsonValue, LearnedOptimizer } from '../types.js';
import { flattenAll, lossPerCoordinate, unflattenLike } from './flatten.js';
import { frozenPolicyRule, type ColumnState } from './frozenRule.js';
import { featureCount, initHistory, observe, recordStep, type HistoryState } from './history.js';
import { applyMlp, createMlp, type MlpLayer } from './mlp.js';

/** The options, declared once: types, ranges and defaults (suites, checkpoints and the constructor decode with it). */
export const COORDINATE_POLICY_OPTIONS = options(
  'coordinate-policy options',
  {
    /** History window H. */
    history: values.positiveInt,
    /** Hidden layer sizes of the policy network. */
    hidden: values.positiveInts,
    /** Hidden units of the value network (training only). */
    valueHidden: values.positiveInt,
    action: values.oneOf(['step', 'learningRate']),
    /** 'step': Δθ = stepScale · a. */
    stepScale: values.positive,
    /** 'learningRate': Δθ = −baseLearningRate · e^a · g. */
    baseLearningRate: values.positive,
    /** Feed each coordinate's current value to the policy too. */
    includeParams: values.boolean,
    /** 'normalised' (scale-free windows) or 'paper' (Li & Malik's raw features; see history.ts). */
    features: values.oneOf(['normalised', 'paper']),
    /** The policy network's hidden nonlinearity ('relu' as in Li & Malik's released code). */
    activation: values.oneOf(['tanh', 'relu']),
    /** Initial log σ of the exploration noise. */
    initialLogStd: values.finite,
    seed: values.finite,
  },
  {
    history: 25,
    hidden: [32, 32],
    valueHidden: 32,
    action: 'learningRate',
    stepScale: 0.1,
    baseLearningRate: 0.1,
    includeParams: false,
    features: 'normalised',
    activation: 'tanh',
    initialLogStd: 0,
    seed: 0,
  },
);
export type CoordinatePolicyOptions = t.TypeOf<typeof COORDINATE_POLICY_OPTIONS>;
export type ActionSpace = CoordinatePolicyOptions['action'];

/** The defaults (tests and benches start from them). */
export const POLICY_DEFAULTS: CoordinatePolicyOptions = decodeOrThrow(COORDINATE_POLICY_OPTIONS, {}, 'coordinate-policy');

/** The log learning rate is clipped so that a sampled action cannot blow the run up in one step. */
const LOG_LR_RANGE: [number, number] = [-8, 4];

/** What one step of the policy sees and what it would do, before an action is chosen. */
export interface Observation {
  /** [n, F]. */
  features: tf.Tensor2D;
  /** Mean action μ(x): [n]. */
  mean: tf.Tensor1D;
  /** The flat gradient g_t: [n]. */
  grad: tf.Tensor1D;
  /** The flat loss each coordinate saw: [n]. */
  loss: tf.Tensor1D;
  observed: { grads: tf.Tensor2D; lossChanges: tf.Tensor2D };
}

export class CoordinatePolicy implements LearnedOptimizer {
  readonly kind = 'coordinate-policy';
  readonly version = 1;
  readonly hyperParams: Record<string, JsonValue>;
  readonly metaParams: ReadonlyMap<string, tf.Variable>;
  readonly options: CoordinatePolicyOptions;
  readonly policyLayers: MlpLayer[];
  readonly valueLayers: MlpLayer[];
  readonly logStd: tf.Variable;

  constructor(options: Partial<CoordinatePolicyOptions> = {}) {
    this.options = decodeOrThrow(COORDINATE_POLICY_OPTIONS, options, 'coordinate-policy');
    this.hyperParams = { ...this.options, hidden: [...this.options.hidden] };
    const { history, hidden, valueHidden, includeParams, seed, initialLogStd } = this.options;
    const tag = Math.random().toString(36).slice(2);
    const params = new Map<string, tf.Variable>();
    const make = (name: string, init: () => tf.Tensor) => {
      const initial = tf.tidy(init);
      const v = tf.variable(initial, true, `coordinate-policy/${name}/${tag}`);
      initial.dispose();
      params.set(name, v);
      return v;
    };
    const f = featureCount(history, includeParams, this.options.features);
    // A near-zero last layer: the untrained policy's mean action is ~0 (no step, or the base learning rate).
    this.policyLayers = createMlp([f, ...hidden, 1], seed, 0.01, make, 'policy');
    // The value network also sees the fraction of the horizon elapsed (rewards are finite-horizon).
    this.valueLayers = createMlp([f + 1, valueHidden, 1], seed + 7, 1, make, 'value');
    this.logStd = make('policy/logStd', () => tf.scalar(initialLogStd));
    this.metaParams = params;
  }

  get policyVariables(): tf.Variable[] {
    return [...this.policyLayers.flatMap((l) => [l.kernel, l.bias]), this.logStd];
  }

  get valueVariables(): tf.Variable[] {
    return this.valueLayers.flatMap((l) => [l.kernel, l.bias]);
  }

  initState(params: readonly tf.Tensor[]): HistoryState {
    return initHistory(params.reduce((n, p) => n + p.size, 0), this.options.history, this.options.features);
  }

  /** The policy's mean action μ(x) for feature rows [n, F]: [n, 1]. */
  meanAction(features: tf.Tensor2D): tf.Tensor2D {
    return applyMlp(this.policyLayers, features, this.options.activation);
  }

  /** Features and the mean action for the current step. */
  observe(state: HistoryState, input: { grads: readonly tf.Tensor[]; params: readonly tf.Tensor[]; loss?: tf.Tensor; step: number }): Observation {
    const grad = flattenAll(input.grads);
    const loss = input.loss === undefined ? tf.zerosLike(grad) : lossPerCoordinate(input.loss, input.params);
    const params = this.options.includeParams ? flattenAll(input.params) : undefined;
    const { features, grads, lossChanges } = observe(state, { grad, loss, step: input.step, ...(params === undefined ? {} : { params }) }, this.options.features);
    const mean = tf.reshape(this.meanAction(features), [-1]) as tf.Tensor1D;
    return { features, mean, grad, loss, observed: { grads, lossChanges } };
  }

  /** The flat parameter change for per-coordinate actions a: [n]. */
  stepFor(action: tf.Tensor1D, grad: tf.Tensor1D): tf.Tensor1D {
    const { action: space, stepScale, baseLearningRate } = this.options;
    if (space === 'step') return tf.mul(action, stepScale) as tf.Tensor1D;
    return tf.neg(tf.mul(tf.mul(tf.exp(tf.clipByValue(action, ...LOG_LR_RANGE)), baseLearningRate), grad)) as tf.Tensor1D;
  }

  /** Per-row state value: the mean over a row's coordinates of v(x, t/T). `features` is [rows·perRow, F]. */
  values(features: tf.Tensor2D, rows: number, progress: tf.Tensor2D | number): tf.Tensor1D {
    const n = features.shape[0];
    const time = (typeof progress === 'number' ? tf.fill([n, 1], progress) : progress) as tf.Tensor2D;
    const v = applyMlp(this.valueLayers, tf.concat([features, time], 1));
    return tf.mean(tf.reshape(v, [rows, n / rows]), 1) as tf.Tensor1D;
  }

  /**
   * The frozen optimizer: the policy's mean action at every step (the fast form; see frozenRule.ts).
   * `chunk`: coordinates per pass (default: sized from the free memory); the result does not depend on it.
   */
  rule(options: { chunk?: number } = {}): UpdateRule<ColumnState> {
    return frozenPolicyRule(this, options);
  }

  /** The same optimizer computed from the explicit features that training uses: the reference `rule()` is checked against. */
  featureRule(): UpdateRule<HistoryState> {
    return {
      init: (params) => this.initState(params),
      update: (input, state) => {
        const o = this.observe(state, input);
        const update = this.stepFor(o.mean, o.grad);
        return { updates: unflattenLike(update, input.params), state: recordStep(state, o.observed, update, o.loss) };
      },
    };
  }

  clone(): LearnedOptimizer {
    return cloneLearned(this);
  }

  dispose(): void {
    tf.dispose([...this.metaParams.values()]);
  }
}

// The scale its action is applied at (stepScale or baseLearningRate, by action space); φ's shapes do not depend on it.
registerLearnedOptimizer({ kind: 'coordinate-policy', options: COORDINATE_POLICY_OPTIONS, create: (options) => new CoordinatePolicy(options), deployment: (o) => [o.action === 'step' ? 'stepScale' : 'baseLearningRate'] });
