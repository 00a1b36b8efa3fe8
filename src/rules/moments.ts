/**
 * The stateful transforms behind the hand-designed optimizers: momentum traces
 * and the adaptive scalings (AdaGrad, RMSProp, AdaDelta, Adam, Adamax, AMSGrad).
 * Each returns *unscaled* directions; `scaleByLearningRate` turns them into steps.
 * Hyper-parameters may be scalar tensors, so hyper-gradients flow through them.
 */
import tf from '#tfjs';
import type { RuleSpec } from './spec.js';
import type { HyperParam, UpdateRule } from './types.js';
import { checkRuleOptions } from './options.js';

type Num = number | tf.Scalar;

function complement(x: Num): Num {
  return typeof x === 'number' ? 1 - x : (tf.sub(1, x) as tf.Scalar);
}

/** 1 − β^(step+1): the bias-correction denominator after step+1 updates. */
function biasCorrection(beta: Num, step: number): Num {
  return typeof beta === 'number' ? 1 - beta ** (step + 1) : (tf.sub(1, tf.pow(beta, step + 1)) as tf.Scalar);
}

/** β·m + (1−β)·x, an exponential moving average. */
function ema(m: tf.Tensor, x: tf.Tensor, beta: Num): tf.Tensor {
  return tf.add(tf.mul(m, beta), tf.mul(x, complement(beta)));
}

const zerosLike = (params: readonly tf.Tensor[]) => params.map((p) => tf.zerosLike(p));

/** Serialisable only when every hyper-parameter is a plain number. */
function numericSpec(rule: string, options: Record<string, HyperParam | boolean>): RuleSpec | undefined {
  const out: RuleSpec['options'] = {};
  for (const [key, value] of Object.entries(options)) {
    if (typeof value !== 'number' && typeof value !== 'boolean') return undefined;
    out[key] = value;
  }
  return { rule, options: out };
}

function withSpec<S extends object>(spec: RuleSpec | undefined, rule: S): S & { spec?: RuleSpec } {
  return spec === undefined ? rule : { ...rule, spec };
}

/** Momentum: v ← decay·v + g; direction v (or g + decay·v, Nesterov). tfjs's `momentum` form. */
export function trace(options: { decay: HyperParam; nesterov?: boolean }): UpdateRule<{ trace: tf.Tensor[] }> {
  checkRuleOptions('trace', options);
  const { decay } = options;
  const nesterov = options.nesterov ?? false;
  return withSpec(numericSpec('trace', { decay, nesterov }), {
    init: (params: readonly tf.Tensor[]) => ({ trace: zerosLike(params) }),
    update(input: { grads: readonly tf.Tensor[] }, state: { trace: tf.Tensor[] }) {
      const next = input.grads.map((g, i) => tf.add(tf.mul(state.trace[i] as tf.Tensor, decay), g));
      const updates = nesterov ? input.grads.map((g, i) => tf.add(g, tf.mul(next[i] as tf.Tensor, decay))) : next;
      return { updates, state: { trace: next } };
    },
  });
}

/** AdaGrad (Duchi et al.): a ← a + g²; direction g/√(a + ε). Accumulator starts at `initialAccumulatorValue`, as in tfjs. */
export function scaleByAdagrad(options: { initialAccumulatorValue?: number; epsilon?: HyperParam } = {}): UpdateRule<{ sum: tf.Tensor[] }> {
  checkRuleOptions('scaleByAdagrad', options);
  const initial = options.initialAccumulatorValue ?? 0.1;
  const epsilon = options.epsilon ?? 1e-7;
  return withSpec(numericSpec('scaleByAdagrad', { initialAccumulatorValue: initial, epsilon }), {
    init: (params: readonly tf.Tensor[]) => ({ sum: params.map((p) => tf.fill(p.shape, initial)) }),
    update(input: { grads: readonly tf.Tensor[] }, state: { sum: tf.Tensor[] }) {
      const sum = input.grads.map((g, i) => tf.add(state.sum[i] as tf.Tensor, tf.square(g)));
      const updates = input.grads.map((g, i) => tf.div(g, tf.sqrt(tf.add(sum[i] as tf.Tensor, epsilon))));
      return { updates, state: { sum } };
    },
  });
}

type RmsState = { meanSquare: tf.Tensor[]; meanGrad?: tf.Tensor[] };

/**
 * RMSProp (Tieleman & Hinton): s ← ρs + (1−ρ)g²; direction g/√(s + ε).
 * Centered (Graves 2013): also m ← ρm + (1−ρ)g, direction g/√(s − m² + ε).
 */
export function scaleByRms(options: { decay?: HyperParam; epsilon?: HyperParam; centered?: boolean } = {}): UpdateRule<RmsState> {
  checkRuleOptions('scaleByRms', options);
  const decay = options.decay ?? 0.9;
  const epsilon = options.epsilon ?? 1e-7;
  const centered = options.centered ?? false;
  return withSpec(numericSpec('scaleByRms', { decay, epsilon, centered }), {
    init: (params: readonly tf.Tensor[]): RmsState => (centered ? { meanSquare: zerosLike(params), meanGrad: zerosLike(params) } : { meanSquare: zerosLike(params) }),
    update(input: { grads: readonly tf.Tensor[] }, state: RmsState) {
      const meanSquare = input.grads.map((g, i) => ema(state.meanSquare[i] as tf.Tensor, tf.square(g), decay));
      if (!centered) {
        return { updates: input.grads.map((g, i) => tf.div(g, tf.sqrt(tf.add(meanSquare[i] as tf.Tensor, epsilon)))), state: { meanSquare } };
      }
      const meanGrad = input.grads.map((g, i) => ema((state.meanGrad as tf.Tensor[])[i] as tf.Tensor, g, decay));
      const updates = input.grads.map((g, i) =>
        tf.div(g, tf.sqrt(tf.add(tf.sub(meanSquare[i] as tf.Tensor, tf.square(meanGrad[i] as tf.Tensor)), epsilon))),
      );
      return { updates, state: { meanSquare, meanGrad } };
    },
  });
}

type AdadeltaState = { meanSquareGrad: tf.Tensor[]; meanSquareDelta: tf.Tensor[] };

/**
 * AdaDelta (Zeiler 2012, Algorithm 1): E[g²] ← ρE[g²] + (1−ρ)g²;
 * Δ = √(E[Δ²] + ε)/√(E[g²] + ε)·g with the *updated* E[g²]; E[Δ²] ← ρE[Δ²] + (1−ρ)Δ².
 * (tfjs's adadelta divides by the previous step's E[g²] instead; see README.)
 */
export function scaleByAdadelta(options: { rho?: HyperParam; epsilon?: HyperParam } = {}): UpdateRule<AdadeltaState> {
  checkRuleOptions('scaleByAdadelta', options);
  const rho = options.rho ?? 0.95;
  const epsilon = options.epsilon ?? 1e-7;
  return withSpec(numericSpec('scaleByAdadelta', { rho, epsilon }), {
    init: (params: readonly tf.Tensor[]): AdadeltaState => ({ meanSquareGrad: zerosLike(params), meanSquareDelta: zerosLike(params) }),
    update(input: { grads: readonly tf.Tensor[] }, state: AdadeltaState) {
      const meanSquareGrad = input.grads.map((g, i) => ema(state.meanSquareGrad[i] as tf.Tensor, tf.square(g), rho));
      const updates = input.grads.map((g, i) =>
        tf.mul(tf.div(tf.sqrt(tf.add(state.meanSquareDelta[i] as tf.Tensor, epsilon)), tf.sqrt(tf.add(meanSquareGrad[i] as tf.Tensor, epsilon))), g),
      );
      const meanSquareDelta = updates.map((d, i) => ema(state.meanSquareDelta[i] as tf.Tensor, tf.square(d), rho));
      return { updates, state: { meanSquareGrad, meanSquareDelta } };
    },
  });
}

type AdamState = { mu: tf.Tensor[]; nu: tf.Tensor[]; nuMax?: tf.Tensor[] };

/**
 * Adam (Kingma & Ba): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²;
 * direction m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ) (bias correction optional).
 * AMSGrad (Reddi et al.) divides by the running maximum of v instead (bias-corrected: √(max v / (1−β₂ᵗ))).
 */
export function scaleByAdam(
  options: { beta1?: HyperParam; beta2?: HyperParam; epsilon?: HyperParam; biasCorrection?: boolean; amsgrad?: boolean } = {},
): UpdateRule<AdamState> {
  checkRuleOptions('scaleByAdam', options);
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-7;
  const corrected = options.biasCorrection ?? true;
  const amsgrad = options.amsgrad ?? false;
  return withSpec(numericSpec('scaleByAdam', { beta1, beta2, epsilon, biasCorrection: corrected, amsgrad }), {
    init: (params: readonly tf.Tensor[]): AdamState =>
      amsgrad ? { mu: zerosLike(params), nu: zerosLike(params), nuMax: zerosLike(params) } : { mu: zerosLike(params), nu: zerosLike(params) },
    update(input: { grads: readonly tf.Tensor[]; step: number }, state: AdamState) {
      const mu = input.grads.map((g, i) => ema(state.mu[i] as tf.Tensor, g, beta1));
      const nu = input.grads.map((g, i) => ema(state.nu[i] as tf.Tensor, tf.square(g), beta2));
      const c1 = corrected ? biasCorrection(beta1, input.step) : 1;
      const c2 = corrected ? biasCorrection(beta2, input.step) : 1;
      // AMSGrad keeps the running maximum of the raw second moment and bias-corrects
      // it with the current step's factor (as PyTorch and Keras do).
      const nuMax = amsgrad ? nu.map((v, i) => tf.maximum((state.nuMax as tf.Tensor[])[i] as tf.Tensor, v)) : undefined;
      const nuHat = (nuMax ?? nu).map((v) => tf.div(v, c2));
      const updates = mu.map((m, i) => tf.div(tf.div(m, c1), tf.add(tf.sqrt(nuHat[i] as tf.Tensor), epsilon)));
      return { updates, state: nuMax === undefined ? { mu, nu } : { mu, nu, nuMax } };
    },
  });
}

type AdamaxState = { mu: tf.Tensor[]; infNorm: tf.Tensor[] };

/** Adamax (Kingma & Ba §7.1): m ← β₁m + (1−β₁)g, u ← max(β₂u, |g|); direction m/((1−β₁ᵗ)(u + ε)). */
export function scaleByAdamax(options: { beta1?: HyperParam; beta2?: HyperParam; epsilon?: HyperParam } = {}): UpdateRule<AdamaxState> {
  checkRuleOptions('scaleByAdamax', options);
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-7;
  return withSpec(numericSpec('scaleByAdamax', { beta1, beta2, epsilon }), {
    init: (params: readonly tf.Tensor[]): AdamaxState => ({ mu: zerosLike(params), infNorm: zerosLike(params) }),
    update(input: { grads: readonly tf.Tensor[]; step: number }, state: AdamaxState) {
      const mu = input.grads.map((g, i) => ema(state.mu[i] as tf.Tensor, g, beta1));
      const infNorm = input.grads.map((g, i) => tf.maximum(tf.mul(state.infNorm[i] as tf.Tensor, beta2), tf.abs(g)));
      const c1 = biasCorrection(beta1, input.step);
      const updates = mu.map((m, i) => tf.div(tf.div(m, c1), tf.add(infNorm[i] as tf.Tensor, epsilon)));
      return { updates, state: { mu, infNorm } };
    },
  });
}
