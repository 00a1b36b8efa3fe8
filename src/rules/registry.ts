/**
 * Rebuilds a rule from its JSON spec (optimizer configs, suite files). Every
 * rule's options are decoded with io-ts against that rule's own schema, so a
 * typo'd name, a string where a number belongs, or an unknown option fails
 * before anything runs, with the path of the problem.
 */
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { describeErrors } from '../suite/errors.js';
import { chain } from './chain.js';
import { family7 } from './family7.js';
import { scaleByAdadelta, scaleByAdagrad, scaleByAdam, scaleByAdamax, scaleByRms, trace } from './moments.js';
import * as optimizers from './optimizers.js';
import { scheduleFromSpec } from './schedules.js';
import { RuleSpec, ScheduleSpec } from './spec.js';
import { addDecayedWeights, clipByGlobalNorm, clipByValue, scale, scaleByLearningRate } from './stateless.js';
import type { UpdateRule } from './types.js';

const num = t.number;
const bool = t.boolean;
/** A step size: a number or a schedule. */
const step = t.union([t.number, ScheduleSpec]);

type Props = Record<string, t.Mixed>;
interface Entry {
  props: Props;
  /** Options required to be present. */
  required?: string[];
  build: (options: Record<string, unknown>) => UpdateRule;
}

const adamProps = { learningRate: step, beta1: num, beta2: num, epsilon: num };
const asRule = (f: unknown) => f as (options: Record<string, unknown>) => UpdateRule;

const ENTRIES: Record<string, Entry> = {
  sgd: { props: { learningRate: step }, build: asRule(optimizers.sgd) },
  momentum: { props: { learningRate: step, momentum: num }, build: asRule(optimizers.momentum) },
  nesterov: { props: { learningRate: step, momentum: num }, build: asRule(optimizers.nesterov) },
  adagrad: { props: { learningRate: step, initialAccumulatorValue: num, epsilon: num }, build: asRule(optimizers.adagrad) },
  rmsprop: { props: { learningRate: step, decay: num, momentum: num, epsilon: num, centered: bool }, build: asRule(optimizers.rmsprop) },
  adadelta: { props: { learningRate: step, rho: num, epsilon: num }, build: asRule(optimizers.adadelta) },
  adam: { props: adamProps, build: asRule(optimizers.adam) },
  adamax: { props: adamProps, build: asRule(optimizers.adamax) },
  amsgrad: { props: adamProps, build: asRule(optimizers.amsgrad) },
  adamw: { props: { ...adamProps, weightDecay: num }, build: asRule(optimizers.adamw) },
  family7: {
    props: { learningRate: step, a1: step, a2: step, a3: step, b1: step, b2: step, b3: step, p0: num, q0: num },
    build: asRule(family7),
  },
  trace: { props: { decay: num, nesterov: bool }, required: ['decay'], build: asRule(trace) },
  scaleByAdagrad: { props: { initialAccumulatorValue: num, epsilon: num }, build: asRule(scaleByAdagrad) },
  scaleByRms: { props: { decay: num, epsilon: num, centered: bool }, build: asRule(scaleByRms) },
  scaleByAdadelta: { props: { rho: num, epsilon: num }, build: asRule(scaleByAdadelta) },
  scaleByAdam: { props: { beta1: num, beta2: num, epsilon: num, biasCorrection: bool, amsgrad: bool }, build: asRule(scaleByAdam) },
  scaleByAdamax: { props: { beta1: num, beta2: num, epsilon: num }, build: asRule(scaleByAdamax) },
  scale: { props: { factor: step }, required: ['factor'], build: (o) => scale(o['factor'] as number) },
  scaleByLearningRate: { props: { learningRate: step }, required: ['learningRate'], build: (o) => scaleByLearningRate(o['learningRate'] as number) },
  addDecayedWeights: { props: { weightDecay: num }, required: ['weightDecay'], build: (o) => addDecayedWeights(o['weightDecay'] as number) },
  clipByGlobalNorm: { props: { maxNorm: num }, required: ['maxNorm'], build: (o) => clipByGlobalNorm(o['maxNorm'] as number) },
  clipByValue: { props: { min: num, max: num }, required: ['min', 'max'], build: (o) => clipByValue(o as { min: number; max: number }) },
  chain: { props: { rules: t.array(RuleSpec) }, required: ['rules'], build: (o) => chain(...(o['rules'] as UpdateRule[])) },
};

export const RULE_NAMES = Object.keys(ENTRIES);

export class RuleSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleSpecError';
  }
}

function revive(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((spec, i) => ruleFromSpec(spec, `${path}/${i}`));
  if (typeof value === 'object' && value !== null && ScheduleSpec.is(value)) {
    try {
      return scheduleFromSpec(value);
    } catch (error) {
      throw new RuleSpecError(`${path}: ${(error as Error).message}`);
    }
  }
  return value;
}

/**
 * Decodes and rebuilds a rule. `path` names where the spec sits (a JSON path in
 * a suite file, say) so errors point at it. `overrides` replace options by
 * values that JSON cannot hold — tensors, e.g. one learning rate per batched row.
 */
export function ruleFromSpec(input: unknown, path = 'rule', overrides: Record<string, unknown> = {}): UpdateRule {
  const decoded = RuleSpec.decode(input);
  // One short line per wrong place (io-ts's own report repeats the whole value for every union member).
  if (isLeft(decoded)) {
    const problems = describeErrors(decoded.left, path);
    throw new RuleSpecError(`${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`);
  }
  const { rule, options } = decoded.right;
  const entry = ENTRIES[rule];
  if (entry === undefined) throw new RuleSpecError(`${path}.rule: unknown rule '${rule}'; known rules: ${RULE_NAMES.join(', ')}`);
  const known = Object.keys(entry.props);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new RuleSpecError(`${path}.options.${key}: unknown option for rule '${rule}'; expected one of ${known.join(', ')}`);
  }
  for (const key of entry.required ?? []) {
    if (!(key in options)) throw new RuleSpecError(`${path}.options.${key}: required by rule '${rule}'`);
  }
  const revived: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const codec = entry.props[key] as t.Mixed;
    if (!codec.is(value)) {
      throw new RuleSpecError(`${path}.options.${key}: expected ${codec.name}, got ${JSON.stringify(value)}`);
    }
    revived[key] = revive(value, `${path}.options.${key}`);
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (!known.includes(key)) throw new RuleSpecError(`${path}: cannot override '${key}': not an option of rule '${rule}' (expected one of ${known.join(', ')})`);
    revived[key] = value;
  }
  return entry.build(revived);
}
