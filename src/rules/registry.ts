/**
 * Rebuilds a rule from its JSON spec (optimizer configs, suite files). Every
 * rule's options are decoded with the one strict decoder (codec/) against that
 * rule's own schema, derived from RULE_OPTIONS, so a typo'd name, a string where
 * a number belongs, or an unknown option fails before anything runs, every
 * problem at once with its path.
 */
import t from '#cjs/io-ts';
import { isLeft } from '#cjs/fp-ts-either';
import { OptionsError } from '../codec/decode.js';
import { describeErrors } from '../codec/errors.js';
import { strict } from '../codec/strict.js';
import { chain } from './chain.js';
import { family7 } from './family7.js';
import { scaleByAdadelta, scaleByAdagrad, scaleByAdam, scaleByAdamax, scaleByRms, trace } from './moments.js';
import * as optimizers from './optimizers.js';
import { scheduleFromSpec } from './schedules.js';
import { RULE_OPTIONS, RuleOptionError, type OptionKind } from './options.js';
import { RuleSpec, ScheduleSpec } from './spec.js';
import { addDecayedWeights, clipByGlobalNorm, clipByValue, scale, scaleByLearningRate } from './stateless.js';
import type { UpdateRule } from './types.js';

/** A codec that reports itself, not its members, when a value does not fit (`expected a number or a schedule`). */
const named = <C extends t.Mixed>(codec: C, name: string) => new t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown>(name, codec.is, (u, c) => (codec.is(u) ? t.success(u) : t.failure(u, c)), codec.encode);

/** JSON codecs of the option kinds (JSON cannot hold tensors). */
const CODECS: Record<OptionKind, t.Mixed> = {
  stepSize: named(t.union([t.number, ScheduleSpec]), 'a number or a schedule'),
  hyper: named(t.number, 'a number'),
  number: named(t.number, 'a number'),
  boolean: named(t.boolean, 'true or false'),
  rules: named(t.array(RuleSpec), 'a list of rule specs'),
};

/**
 * Each rule's JSON options as a strict codec, derived from RULE_OPTIONS (where they are declared once): unknown
 * and missing options and values of the wrong kind are reported together; ranges are the rule's own checks.
 */
const OPTION_CODECS = new Map(
  Object.entries(RULE_OPTIONS).map(([rule, table]) => {
    const props = Object.entries(table.options).map(([key, option]) => [key, CODECS[option.kind]] as const);
    const required = table.required ?? [];
    return [
      rule,
      strict(`${rule} options`, Object.fromEntries(props.filter(([key]) => required.includes(key))), Object.fromEntries(props.filter(([key]) => !required.includes(key))), {
        unknownKey: () => `unknown option for rule '${rule}'; expected one of ${Object.keys(table.options).join(', ')}`,
      }),
    ] as const;
  }),
);

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

/** A spec's problems, each at its path (all of a spec's options are checked at once). */
export class RuleSpecError extends OptionsError {
  constructor(problems: string | string[]) {
    super(typeof problems === 'string' ? [problems] : problems);
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
  if (isLeft(decoded)) throw new RuleSpecError(describeErrors(decoded.left, path));
  const { rule, options } = decoded.right;
  const build = BUILDERS[rule];
  const table = RULE_OPTIONS[rule];
  const codec = OPTION_CODECS.get(rule);
  if (build === undefined || table === undefined || codec === undefined) throw new RuleSpecError(`${path}.rule: unknown rule '${rule}'; known rules: ${RULE_NAMES.join(', ')}`);
  const known = Object.keys(table.options);
  const checked = codec.decode(options);
  if (isLeft(checked)) throw new RuleSpecError(describeErrors(checked.left, `${path}.options`));
  const revived: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(checked.right)) revived[key] = revive(value, `${path}.options.${key}`);
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
