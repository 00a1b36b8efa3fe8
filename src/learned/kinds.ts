/**
 * Learned-optimizer kinds by name: checkpoints and suite files name a kind. A kind is declared once — its name,
 * its options (a strict codec with defaults, codec/strict.ts) and how to build it — and registered with one line.
 * Free of Node built-ins, so the browser entry can register and create kinds too.
 */
import type * as t from 'io-ts';
import { decodeOrThrow } from '../codec/decode.js';
import type { JsonValue, LearnedOptimizer } from './types.js';

export interface LearnedKind<O = unknown> {
  /** The name checkpoints and suite files use, e.g. 'lstm'. */
  kind: string;
  /** The construction options: decoding fills in defaults and refuses unknown keys and bad values, all at once. */
  options: t.Decoder<unknown, O>;
  /** A new, untrained optimizer from decoded options. */
  create(options: O): LearnedOptimizer;
  /**
   * Deployment options: those a trained optimizer (these options, in this mode) can be run with at other values
   * without meta-training again — they scale or bound what it outputs, φ's shapes and meaning do not depend on
   * them (an initial learning rate, an output scale). A suite's `grid` on a learned entry tunes these only.
   */
  deployment?(options: O, mode: 'frozen' | 'online'): readonly string[];
}

const KINDS = new Map<string, LearnedKind<never>>();

export function registerLearnedOptimizer<O>(definition: LearnedKind<O>): void {
  KINDS.set(definition.kind, definition as unknown as LearnedKind<never>);
}

export function learnedKinds(): string[] {
  return [...KINDS.keys()];
}

export function learnedKind(kind: string): LearnedKind<unknown> {
  const definition = KINDS.get(kind);
  if (definition === undefined) throw new Error(`unknown learned optimizer kind '${kind}'; known kinds: ${learnedKinds().join(', ')}`);
  return definition as LearnedKind<unknown>;
}

/** Decodes `options` (found at `path`, the kind's name by default) and builds an untrained optimizer of `kind`. */
export function createLearnedOptimizer(kind: string, options: Record<string, JsonValue> = {}, path: string = kind): LearnedOptimizer {
  const definition = learnedKind(kind);
  return definition.create(decodeOrThrow(definition.options, options, path));
}
