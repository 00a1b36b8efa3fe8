/** A learned optimizer's copy: same kind and options (through the registry), φ copied. */
import { createLearnedOptimizer } from './kinds.js';
import type { LearnedOptimizer } from './types.js';

export function cloneLearned(learned: LearnedOptimizer): LearnedOptimizer {
  const copy = createLearnedOptimizer(learned.kind, learned.hyperParams);
  for (const [name, variable] of copy.metaParams) variable.assign(learned.metaParams.get(name)!);
  return copy;
}
