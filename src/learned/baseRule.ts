/** The base rule a learning-rate controller (DQN, actor-critic) sets the step size of: an option both declare. */
import t from '#cjs/io-ts';
import { nestedProblems } from '../codec/decode.js';
import type { FieldProblem } from '../codec/strict.js';
import { ruleFromSpec } from '../rules/registry.js';
import { RuleSpec } from '../rules/spec.js';
import { baseRuleSpec } from './controllerRows.js';

/** A rule name ('sgd', 'adam') or a full spec ({rule, options}). */
export const BaseRule = t.union([t.string, RuleSpec], 'a rule name or {rule, options}');

/** The problem, if any, of building the base rule, placed where it is (`baseRule.options.lr`). */
export function baseRuleProblems(baseRule: string | RuleSpec): FieldProblem[] {
  return nestedProblems('baseRule', (path) => ruleFromSpec(baseRuleSpec(baseRule), path));
}
