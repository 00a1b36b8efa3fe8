/** Rebuilds a rule from its JSON spec (optimizer configs, suite files). */
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { isLeft } from 'fp-ts/lib/Either.js';
import { chain } from './chain.js';
import { family7 } from './family7.js';
import { scaleByAdadelta, scaleByAdagrad, scaleByAdam, scaleByAdamax, scaleByRms, trace } from './moments.js';
import * as optimizers from './optimizers.js';
import { scheduleFromSpec } from './schedules.js';
import { RuleSpec, ScheduleSpec, type OptionValue } from './spec.js';
import { addDecayedWeights, clipByGlobalNorm, clipByValue, scale, scaleByLearningRate } from './stateless.js';
import type { UpdateRule } from './types.js';

type Factory = (options: Record<string, unknown>) => UpdateRule;

const FACTORIES: Record<string, Factory> = {
  sgd: optimizers.sgd,
  momentum: optimizers.momentum,
  nesterov: optimizers.nesterov,
  adagrad: optimizers.adagrad,
  rmsprop: optimizers.rmsprop,
  adadelta: optimizers.adadelta,
  adam: optimizers.adam,
  adamax: optimizers.adamax,
  amsgrad: optimizers.amsgrad,
  adamw: optimizers.adamw,
  family7: family7 as unknown as Factory,
  trace: trace as unknown as Factory,
  scaleByAdagrad: scaleByAdagrad as unknown as Factory,
  scaleByRms: scaleByRms as unknown as Factory,
  scaleByAdadelta: scaleByAdadelta as unknown as Factory,
  scaleByAdam: scaleByAdam as unknown as Factory,
  scaleByAdamax: scaleByAdamax as unknown as Factory,
  scale: (o) => scale(o['factor'] as number),
  scaleByLearningRate: (o) => scaleByLearningRate(o['learningRate'] as number),
  addDecayedWeights: (o) => addDecayedWeights(o['weightDecay'] as number),
  clipByGlobalNorm: (o) => clipByGlobalNorm(o['maxNorm'] as number),
  clipByValue: (o) => clipByValue(o as { min: number; max: number }),
};

export const RULE_NAMES = [...Object.keys(FACTORIES), 'chain'];

function reviveOption(value: OptionValue): unknown {
  if (Array.isArray(value)) return value.map((spec) => ruleFromSpec(spec));
  if (typeof value === 'object' && ScheduleSpec.is(value)) return scheduleFromSpec(value);
  return value;
}

/** Decodes and rebuilds; a malformed spec fails with the io-ts path of the problem. */
export function ruleFromSpec(input: unknown): UpdateRule {
  const decoded = RuleSpec.decode(input);
  if (isLeft(decoded)) throw new Error(`invalid rule spec: ${PathReporter.report(decoded).join('; ')}`);
  const spec = decoded.right;
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec.options)) options[key] = reviveOption(value);
  if (spec.rule === 'chain') return chain(...(options['rules'] as UpdateRule[]));
  const factory = FACTORIES[spec.rule];
  if (factory === undefined) throw new Error(`unknown rule '${spec.rule}'; known rules: ${RULE_NAMES.join(', ')}`);
  return factory(options);
}
