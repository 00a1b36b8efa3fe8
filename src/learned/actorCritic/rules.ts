/**
 * The actor-critic controller as update rules. Per row, at step t on minibatch xᵢ:
 * sₜ = χ(ωₜ, xᵢ); ηₜ = actor(sₜ); the base rule (SGD by default) steps with ηₜ.
 *
 * Frozen: only that. Online (Xu et al.'s Algorithm 1, learning during the run):
 * - reward rₜ = f(ωₜ; xᵢ) − f(ωₜ₊₁; xᵢ), measured with `probeLoss` on the same minibatch;
 * - the critic's TD(0) step for (sₜ₋₁, ηₜ₋₁, rₜ₋₁, sₜ) once sₜ is known;
 * - the actor's state sⱼ = χ(ωₜ, xⱼ) on a DIFFERENT minibatch xⱼ (the paper's key
 *   detail; `sameBatch` uses xᵢ, the paper's ablation), gathered into a window of
 *   `unroll` steps; at the window's end one DPG step through the LSTM unrolled over it.
 * Without `probeLoss` (tfjs's model.fit) the reward falls back to f(ωₜ₋₁; xₜ₋₁) − f(ωₜ; xₜ)
 * (consecutive minibatches) and the actor trains on xᵢ, as with `sameBatch`.
 */
import tf from '#tfjs';
import { hashSeed } from '../../random.js';
import { ruleFromSpec, type StateTree, type UpdateInput, type UpdateRule } from '../../rules/index.js';
import { asRows, baseRuleSpec, layoutOf, lossRows, rateForParams } from '../controllerRows.js';
import type { ActorCriticLearner } from './learner.js';
import { actorStep, zeroMemory, type ActorMemory, type ActorWeights } from './networks.js';
import { actionSize, OPTIONS_PATH, type ActorCriticOptions } from './options.js';
import { observeState, stateSize } from './state.js';

/** Minibatch index offset of the actor's own minibatches xⱼ: far from any step index, so xⱼ ≠ xᵢ. */
export const ACTOR_BATCH_OFFSET = 1_000_003;

export interface FrozenState {
  [key: string]: StateTree;
  memory: ActorMemory;
  base: StateTree;
}

export interface OnlineState extends FrozenState {
  /** The last transition, waiting for its next state: sₜ₋₁ [rows, S], aₜ₋₁ [rows, A], rₜ₋₁ [rows], fₜ₋₁ [rows]. */
  previous: { state: tf.Tensor2D; action: tf.Tensor2D; reward: tf.Tensor1D; loss: tf.Tensor1D };
  /** The actor's states sⱼ of the current window: [rows, unroll, S]. */
  window: tf.Tensor3D;
  /** The actor's memory when the window began. */
  windowStart: ActorMemory;
}

interface Acted {
  rows: number;
  state: tf.Tensor2D;
  /** [rows, A]: η (and β₁). */
  action: tf.Tensor2D;
  memory: ActorMemory;
  updates: tf.Tensor[];
  base: StateTree;
  loss: tf.Tensor1D;
  grads: tf.Tensor2D;
  params: tf.Tensor2D;
}

/**
 * `noise` (online learning only): ηₜ = μ(sₜ)·exp(σξ) and logit β₁ + σξ′, ξ ~ N(0, 1) seeded by (seed, step).
 * A deterministic actor never shows the critic another action, so the critic cannot
 * learn how Q depends on η and the policy gradient has nothing to follow.
 */
function act(options: ActorCriticOptions, actor: ActorWeights, base: UpdateRule, input: UpdateInput, state: FrozenState, noise = 0): Acted {
  if (input.loss === undefined) {
    throw new Error(`${OPTIONS_PATH}: the controller reads the loss; with tfjs use optimizer.minimize(f) (as model.fit does), not applyGradients`);
  }
  const layout = layoutOf(input.params);
  const params = asRows(input.params, layout);
  const grads = asRows(input.grads, layout);
  const rows = params.shape[0];
  const loss = lossRows(input.loss, rows, OPTIONS_PATH);
  const s = observeState(options.state, loss, grads);
  const { action: mean, memory } = actorStep(actor, s, state.memory, options.initialLearningRate);
  const action = noise > 0 ? explore(mean, noise, hashSeed(options.seed, input.step, 0xac)) : mean;
  const rate = tf.slice(action, [0, 0], [-1, 1]) as tf.Tensor2D;
  const overrides: Record<string, tf.Tensor> = { learningRate: rateForParams(rate, layout) };
  if (action.shape[1] === 2) {
    const beta1 = tf.slice(action, [0, 1], [-1, 1]) as tf.Tensor2D;
    overrides['b1'] = rateForParams(beta1, layout);
    overrides['b2'] = rateForParams(tf.sub(1, beta1) as tf.Tensor2D, layout);
  }
  const out = base.update({ ...input, overrides: { ...input.overrides, ...(overrides as Record<string, tf.Scalar>) } }, state.base);
  return { rows, state: s, action, memory, updates: out.updates, base: out.state, loss, grads, params };
}

function explore(mean: tf.Tensor2D, noise: number, seed: number): tf.Tensor2D {
  const xi = tf.randomNormal(mean.shape, 0, noise, 'float32', seed);
  const rate = tf.mul(tf.slice(mean, [0, 0], [-1, 1]), tf.exp(tf.slice(xi, [0, 0], [-1, 1])));
  if (mean.shape[1] === 1) return rate as tf.Tensor2D;
  const beta1 = tf.slice(mean, [0, 1], [-1, 1]);
  const logit = tf.sub(tf.log(beta1), tf.log(tf.sub(1, beta1)));
  return tf.concat([rate, tf.sigmoid(tf.add(logit, tf.slice(xi, [0, 1], [-1, 1])))], 1) as tf.Tensor2D;
}

/** The values the actor chose, by name, for the runner's traces. */
function traceOf(action: tf.Tensor2D): Record<string, tf.Tensor> {
  const trace: Record<string, tf.Tensor> = { learningRate: tf.slice(action, [0, 0], [-1, 1]) };
  if (action.shape[1] === 2) trace['beta1'] = tf.slice(action, [0, 1], [-1, 1]);
  return trace;
}

function baseRule(options: ActorCriticOptions): UpdateRule {
  // Adam's form in the 7-parameter family: β₂ = 0.999 fixed; b₁ = β₁, b₂ = 1 − β₁ set per step by the actor.
  if (options.controls === 'adam') return ruleFromSpec({ rule: 'family7', options: {} }, `${OPTIONS_PATH}.controls`);
  return ruleFromSpec(baseRuleSpec(options.baseRule), `${OPTIONS_PATH}.baseRule`);
}

function rowsOf(params: readonly tf.Tensor[]): number {
  return tf.tidy(() => asRows(params, layoutOf(params)).shape[0]);
}

export function frozenRule(options: ActorCriticOptions, actor: ActorWeights): UpdateRule<FrozenState> {
  const base = baseRule(options);
  return {
    init: (params) => ({ memory: zeroMemory(rowsOf(params), options.units, options.layers), base: base.init(params) }),
    update: (input, state) => {
      const a = act(options, actor, base, input, state);
      return { updates: a.updates, state: { memory: a.memory, base: a.base }, trace: traceOf(a.action) };
    },
  };
}

/** h(t): the weight of step t's feedback (steps count from 1 here). */
export function feedbackWeight(weighting: ActorCriticOptions['weighting'], step: number): number {
  return weighting === 'inverse' ? 1 / (step + 1) : 1;
}

/** Called after each learning step with the TD and actor losses (scalars the callee must not keep). */
export type LearningObserver = (event: { step: number; criticLoss?: tf.Scalar; actorLoss?: tf.Scalar }) => void;

export function onlineRule(options: ActorCriticOptions, actor: ActorWeights, learner: ActorCriticLearner, observer?: LearningObserver): UpdateRule<OnlineState> {
  const base = baseRule(options);
  const size = stateSize(options.state);
  return {
    init: (params) => {
      const rows = rowsOf(params);
      return {
        memory: zeroMemory(rows, options.units, options.layers),
        base: base.init(params),
        previous: { state: tf.zeros([rows, size]), action: tf.ones([rows, actionSize(options)]), reward: tf.zeros([rows]), loss: tf.zeros([rows]) },
        window: tf.zeros([rows, options.unroll, size]),
        windowStart: zeroMemory(rows, options.units, options.layers),
      };
    },
    update: (input, state) => {
      const a = act(options, actor, base, input, state, options.exploration);
      const t = input.step;
      const weight = feedbackWeight(options.weighting, t);
      // The runner's probe covers one [rows, n] parameter tensor (suite runs and meta-training).
      const probe = layoutOf(input.params) === 'rows' ? input.probeLoss : undefined;
      const event: Parameters<LearningObserver>[0] = { step: t };
      // ωₜ₊₁ as rows (only with the probe: it covers one [rows, n] parameter tensor, whose update is updates[0]).
      const after = probe === undefined ? undefined : (tf.add(a.params, a.updates[0]!) as tf.Tensor2D);

      // This step's reward on its own minibatch: f(ωₜ; xᵢ) − f(ωₜ₊₁; xᵢ).
      const lossAfter = probe === undefined || after === undefined ? undefined : (tf.reshape(probe([after], t), [a.rows]) as tf.Tensor1D);
      const reward = lossAfter === undefined ? tf.zeros([a.rows]) : tf.sub(a.loss, lossAfter);

      // Critic, TD(0).
      if (options.criticNext === 'sameBatch' && lossAfter !== undefined) {
        // Algorithm 1: sₜ₊₁ = χ(ωₜ₊₁, xᵢ) on the reward's minibatch, aₜ₊₁ = μ(sₜ₊₁) from the actor's memory now.
        // ('rich' reuses this step's gradient term, as every probe does: a probe measures only the loss.)
        const nextState = observeState(options.state, lossAfter, a.grads);
        const nextAction = actorStep(actor, nextState, a.memory, options.initialLearningRate).action;
        event.criticLoss = learner.criticStep({ state: a.state, action: a.action, reward: reward as tf.Tensor1D, nextState, nextAction }, weight);
      } else if (t > 0) {
        // The previous transition is complete now that sₜ is known (next minibatch; also tfjs's model.fit, which has no probe).
        const previousReward = probe === undefined ? tf.sub(state.previous.loss, a.loss) : state.previous.reward;
        event.criticLoss = learner.criticStep({ state: state.previous.state, action: state.previous.action, reward: previousReward as tf.Tensor1D, nextState: a.state, nextAction: a.action }, weight);
      }

      // Actor: its state on another minibatch xⱼ (or on xᵢ with sameBatch / without a probe), after the model's step (or before).
      const measured = options.actorState === 'afterUpdate' && after !== undefined ? after : a.params;
      let actorState: tf.Tensor2D;
      if (probe === undefined) actorState = a.state;
      else if (options.sameBatch) actorState = options.actorState === 'afterUpdate' ? observeState(options.state, lossAfter!, a.grads) : a.state;
      else actorState = observeState(options.state, tf.reshape(probe([measured], ACTOR_BATCH_OFFSET + t), [a.rows]) as tf.Tensor1D, a.grads);
      const window = tf.concat([tf.slice(state.window, [0, 1, 0], [-1, -1, -1]), tf.expandDims(actorState, 1)], 1) as tf.Tensor3D;
      let windowStart = state.windowStart;
      const filled = (t % options.unroll) + 1;
      const windowEnds = filled === options.unroll;
      if (options.actorUpdate === 'everyStep') {
        // Every step: one DPG step through the window's states so far, from the memory at the window's start.
        event.actorLoss = learner.actorStep(tf.slice(window, [0, options.unroll - filled, 0], [-1, filled, -1]) as tf.Tensor3D, state.windowStart, weight);
      } else if (windowEnds) {
        event.actorLoss = learner.actorStep(window, state.windowStart, weight);
      }
      if (windowEnds) windowStart = a.memory;
      // Copies: callers dispose the previous state, and a tree must not hold one tensor twice.
      windowStart = { h: windowStart.h.map((x) => tf.clone(x)), c: windowStart.c.map((x) => tf.clone(x)) };
      observer?.(event);
      tf.dispose([event.criticLoss, event.actorLoss].filter((x): x is tf.Scalar => x !== undefined));
      return {
        updates: a.updates,
        state: { memory: a.memory, base: a.base, previous: { state: a.state, action: a.action, reward: reward as tf.Tensor1D, loss: a.loss }, window, windowStart },
        trace: traceOf(a.action),
      };
    },
  };
}
