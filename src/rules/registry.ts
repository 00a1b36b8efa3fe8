/**
 * Rebuilds a rule from its JSON spec (optimizer configs, suite files). Every
 * rule's options are decoded with io-ts against that rule's own schema, so a
 * typo'd name, a string where a number belongs, or an unknown option fails
 * before anything runs, with the path of the problem.
 */
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { describeErrors } from '../codec/errors.js';
import { chain } from './chain.js';
import { family7 } from './family7.js';
import { scaleByAdadelta, scaleByAdagrad, scaleByAdam, scaleByAdamax, scaleByRms, trace } from './moments.js';
import * as optimizers from './optimizers.js';
import { scheduleFromSpec } from './schedules.js';
import { RULE_OPTIONS, RuleOptionError, type OptionKind, type OptionRule } from './options.js';
import { RuleSpec, ScheduleSpec } from './spec.js';
import { addDecayedWeights, clipByGlobalNorm, clipByValue, scale, scaleByLearningRate } from './stateless.js';
import type { UpdateRule } from './types.js';

/** A step size: a number or a schedule. */
const step = t.union([t.number, ScheduleSpec]);

/** JSON codecs of the option kinds (JSON cannot hold tensors). */
const CODECS: Record<OptionKind, t.Mixed> = { stepSize: step, hyper: t.number, number: t.number, boolean: t.boolean, rules: t.array(RuleSpec) };

const asRule = (f: unknown) => f as (options: Record<string, unknown>) => UpdateRule;

/** How each rule is built from decoded options; which options it takes is RULE_OPTIONS' business. */
const BUILDERS: Record<string, (options: Record<string, unknown>) => UpdateRule> = {
  sgd: asRule(optimizers.sgd),
  momentum: asRule(optimizers.momentum),
  nesterov: asRule(optimizers.nesterov),
  adagrad: asRule(optimizers.adagrad),
  rmsprop: asRule(optimizers.rmsprop),
  adadelta: asRule(optimizers.adadelta),
  adam: asRule(optimizers.adam),
  adamax: asRule(optimizers.adamax),
  amsgrad: asRule(optimizers.amsgrad),
  adamw: asRule(optimizers.adamw),
  family7: asRule(family7),
  trace: asRule(trace),
  scaleByAdagrad: asRule(scaleByAdagrad),
  scaleByRms: asRule(scaleByRms),
  scaleByAdadelta: asRule(scaleByAdadelta),
  scaleByAdam: asRule(scaleByAdam),
  scaleByAdamax: asRule(scaleByAdamax),
  scale: (o) => scale(o['factor'] as number),
  scaleByLearningRate: (o) => scaleByLearningRate(o['learningRate'] as number),
  addDecayedWeights: (o) => addDecayedWeights(o['weightDecay'] as number),
  clipByGlobalNorm: (o) => clipByGlobalNorm(o['maxNorm'] as number),
  clipByValue: (o) => clipByValue(o as { min: number; max: number }),
  chain: (o) => chain(...(o['rules'] as UpdateRule[])),
};

export const RULE_NAMES = Object.keys(BUILDERS);

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
  const build = BUILDERS[rule];
  const table = RULE_OPTIONS[rule];
  if (build === undefined || table === undefined) throw new RuleSpecError(`${path}.rule: unknown rule '${rule}'; known rules: ${RULE_NAMES.join(', ')}`);
  const known = Object.keys(table.options);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new RuleSpecError(`${path}.options.${key}: unknown option for rule '${rule}'; expected one of ${known.join(', ')}`);
  }
  for (const key of table.required ?? []) {
    if (!(key in options)) throw new RuleSpecError(`${path}.options.${key}: required by rule '${rule}'`);
  }
  const revived: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const codec = CODECS[(table.options[key] as OptionRule).kind];
    if (!codec.is(value)) {
      throw new RuleSpecError(`${path}.options.${key}: expected ${codec.name}, got ${JSON.stringify(value)}`);
    }
    revived[key] = revive(value, `${path}.options.${key}`);
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (!known.includes(key)) throw new RuleSpecError(`${path}: cannot override '${key}': not an option of rule '${rule}' (expected one of ${known.join(', ')})`);
    revived[key] = value;
  }
  try {
    return build(revived);
  } catch (error) {
    // The rule's own checks (ranges, either/or options), reported at the spec's path.
    if (error instanceof RuleOptionError) throw new RuleSpecError(`${path}.options${error.option === undefined ? '' : `.${error.option}`}: ${error.reason}`);
    throw error;
  }
}
