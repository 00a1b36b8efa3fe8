/** A learned optimizer's copy: same kind and options (through the registry), φ copied. */
import { createLearnedOptimizer } from './kinds.js';
import type { JsonValue, LearnedOptimizer } from './types.js';

/**
 * `options` overrides some of its options (deployment options, see kinds.ts: a suite's grid on a learned entry);
 * the kind's codec checks the result, so a value it refuses throws, naming the option.
 */
export function cloneLearned(learned: LearnedOptimizer, options: Record<string, JsonValue> = {}): LearnedOptimizer {
  const copy = createLearnedOptimizer(learned.kind, { ...learned.hyperParams, ...options });
  for (const [name, variable] of copy.metaParams) variable.assign(learned.metaParams.get(name)!);
  return copy;
}
