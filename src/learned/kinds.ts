/**
 * Learned-optimizer kinds by name: checkpoints and suite files name a kind.
 * Free of Node built-ins, so the browser entry can register and create kinds too.
 */
import type { JsonValue, LearnedOptimizer } from './types.js';

export type LearnedFactory = (hyperParams: Record<string, JsonValue>) => LearnedOptimizer;

const KINDS = new Map<string, LearnedFactory>();

export function registerLearnedOptimizer(kind: string, factory: LearnedFactory): void {
  KINDS.set(kind, factory);
}

export function learnedKinds(): string[] {
  return [...KINDS.keys()];
}

export function createLearnedOptimizer(kind: string, hyperParams: Record<string, JsonValue> = {}): LearnedOptimizer {
  const factory = KINDS.get(kind);
  if (factory === undefined) throw new Error(`unknown learned optimizer kind '${kind}'; known kinds: ${learnedKinds().join(', ')}`);
  return factory(hyperParams);
}
