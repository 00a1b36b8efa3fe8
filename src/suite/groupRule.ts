/**
 * The update rule a group of runs is stepped with, free of Node built-ins: the
 * suite runner and the browser's optimizer race build rules the same way, so the
 * same optimizer gives the same numbers in both.
 */
import tf from '#tfjs';
import { cloneLearned } from '../learned/clone.js';
import type { LearnedOptimizer } from '../learned/types.js';
import { ruleFromSpec, type RuleSpec, type UpdateRule } from '../rules/index.js';
import type { Row } from './execute.js';

export interface GroupRule {
  rule: UpdateRule;
  dispose(): void;
}

/** A baseline for these rows: each grid key becomes one value per row, shaped [rows, 1] to broadcast over each row's parameters. */
export function gridRule(spec: RuleSpec, name: string, gridKeys: readonly string[], rows: readonly Row[]): GroupRule {
  const overrides: Record<string, tf.Tensor> = {};
  for (const key of gridKeys) overrides[key] = tf.tensor2d(rows.map((r) => r.hparams[key] as number), [rows.length, 1]);
  return { rule: ruleFromSpec(spec, name, overrides), dispose: () => tf.dispose(Object.values(overrides)) };
}

/**
 * A learned optimizer: frozen shares φ; online steps a fresh copy, so that what it learns in one run does not leak
 * into the next. `options`: deployment options at a grid point (the rows' shared values), run on a copy of φ with them.
 */
export function learnedRule(prepared: LearnedOptimizer, mode: 'frozen' | 'online', options: Record<string, number> = {}): GroupRule {
  const tuned = Object.keys(options).length > 0;
  if (mode === 'frozen' && !tuned) return { rule: prepared.rule(), dispose: () => undefined };
  if (mode === 'online' && prepared.onlineRule === undefined) throw new Error(`a '${prepared.kind}' optimizer has no online mode; use it frozen`);
  const copy = tuned ? cloneLearned(prepared, options) : prepared.clone();
  return { rule: mode === 'frozen' ? copy.rule() : copy.onlineRule!(), dispose: () => copy.dispose() };
}
