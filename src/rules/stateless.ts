/**
 * Stateless transforms: scaling by a (scheduled or tensor) step size, weight
 * decay, and clipping.
 */
import tf from '#tfjs';
import { hyperSpec, valueAt, type StepSize } from './hyper.js';
import type { RuleSpec } from './spec.js';
import type { HyperParam, UpdateInput, UpdateRule } from './types.js';
import { checkOption, checkRuleOptions, RuleOptionError } from './options.js';

/** Stateless transforms keep an empty list as their state. */
type Empty = never[];

function statelessRule(spec: RuleSpec | undefined, map: (grads: readonly tf.Tensor[], params: readonly tf.Tensor[], input: UpdateInput) => tf.Tensor[]): UpdateRule<Empty> {
  return {
    ...(spec === undefined ? {} : { spec }),
    init: () => [],
    update: (input) => ({ updates: map(input.grads, input.params, input), state: [] }),
  };
}

function specWith(rule: string, hyper: Record<string, StepSize>, plain: Record<string, number | boolean> = {}): RuleSpec | undefined {
  const options: RuleSpec['options'] = { ...plain };
  for (const [key, value] of Object.entries(hyper)) {
    const spec = hyperSpec(value);
    if (spec === undefined) return undefined;
    options[key] = spec;
  }
  return { rule, options };
}

/** Multiplies updates by `factor` (a number, scalar tensor or schedule). */
export function scale(factor: StepSize): UpdateRule<Empty> {
  checkOption('scale', 'factor', factor);
  return statelessRule(specWith('scale', { factor }), (grads, _params, input) => {
    const f = valueAt(factor, input.step);
    return grads.map((g) => tf.mul(g, f));
  });
}

/**
 * The descent step: updates = −learningRate · g. A controller may override the
 * learning rate per step through `input.overrides.learningRate`.
 */
export function scaleByLearningRate(learningRate: StepSize): UpdateRule<Empty> {
  checkOption('scaleByLearningRate', 'learningRate', learningRate);
  return statelessRule(specWith('scaleByLearningRate', { learningRate }), (grads, _params, input) => {
    const lr = input.overrides?.['learningRate'] ?? valueAt(learningRate, input.step);
    const negative = typeof lr === 'number' ? -lr : tf.neg(lr);
    return grads.map((g) => tf.mul(g, negative));
  });
}

/** Adds weightDecay · θ to the updates (decoupled weight decay when placed after the scaling rule's moments). */
export function addDecayedWeights(weightDecay: HyperParam): UpdateRule<Empty> {
  checkOption('addDecayedWeights', 'weightDecay', weightDecay);
  return statelessRule(specWith('addDecayedWeights', { weightDecay }), (grads, params) =>
    grads.map((g, i) => tf.add(g, tf.mul(params[i] as tf.Tensor, weightDecay))),
  );
}

/** Rescales all updates together so their global L2 norm is at most `maxNorm`. */
export function clipByGlobalNorm(maxNorm: number): UpdateRule<Empty> {
  checkOption('clipByGlobalNorm', 'maxNorm', maxNorm);
  const rule = statelessRule({ rule: 'clipByGlobalNorm', options: { maxNorm } }, (grads) => {
    const squares = grads.map((g) => tf.sum(tf.square(g)));
    const norm = tf.sqrt(squares.length === 1 ? (squares[0] as tf.Tensor) : tf.addN(squares));
    // min(1, maxNorm / norm), written so a zero norm gives 1, not NaN.
    const factor = tf.div(maxNorm, tf.maximum(norm, maxNorm));
    return grads.map((g) => tf.mul(g, factor));
  });
  return { ...rule, mixesCoordinates: true };
}

/** Clips every coordinate of the updates to [−maxAbs, maxAbs] (or [min, max]). */
export function clipByValue(options: { maxAbs: number } | { min: number; max: number }): UpdateRule<Empty> {
  checkRuleOptions('clipByValue', options);
  const given = (name: string) => (options as Record<string, unknown>)[name] !== undefined;
  if (given('maxAbs') ? given('min') || given('max') : !(given('min') && given('max'))) {
    throw new RuleOptionError('clipByValue', undefined, 'expected { maxAbs } or { min, max }');
  }
  const [min, max] = 'maxAbs' in options ? [-options.maxAbs, options.maxAbs] : [options.min, options.max];
  if (!(min <= max)) throw new RuleOptionError('clipByValue', 'min', `(${min}) must not exceed max (${max})`);
  return statelessRule({ rule: 'clipByValue', options: { min, max } }, (grads) => grads.map((g) => tf.clipByValue(g, min, max)));
}
