/**
 * Task kinds by name, for suite files. A kind is declared once — its name, its options (a strict io-ts codec,
 * codec/strict.ts: unknown options and bad values are refused, all at once, at their JSON paths) and how to
 * make the task — and registered with one line (builtin.ts lists the shipped ones).
 */
import type * as t from 'io-ts';
import { strict, type Props, type StrictSettings, type TypeOfProps } from '../codec/strict.js';
import type { Task } from './types.js';

/** What every task entry may set besides its options (the suite's `id` and `gradientNoise`, and --data-dir). */
export interface TaskCommon {
  id?: string;
  gradientNoise?: number;
  /** Where tasks that read datasets look first; otherwise $ALPHAOPT_DATA, then the user cache. */
  dataDir?: string;
}

export interface TaskKind<O = unknown> {
  /** The name suite files use: `{"task": "randomQuadratic"}`. */
  kind: string;
  /** The entry's `options`: decoding refuses unknown keys and bad values (defaults may be filled in here or by the task). */
  options: t.Decoder<unknown, O>;
  create(options: O, common: TaskCommon): Task;
}

const KINDS = new Map<string, TaskKind<never>>();

export function registerTaskKind<O>(definition: TaskKind<O>): void {
  KINDS.set(definition.kind, definition as unknown as TaskKind<never>);
}

export function taskKinds(): string[] {
  return [...KINDS.keys()];
}

export function taskKind(kind: string): TaskKind<unknown> | undefined {
  return KINDS.get(kind) as TaskKind<unknown> | undefined;
}

/** A task kind's options: each optional (the task has its defaults), unknown ones refused naming the kind. */
export function taskOptions<P extends Props>(kind: string, props: P, settings: StrictSettings<Partial<TypeOfProps<P>>> = {}) {
  return strict<Record<never, never>, P>(`${kind} options`, {}, props, { unknownKey: (keys) => `unknown option for ${kind}; expected ${keys.join(', ')}`, ...settings });
}
