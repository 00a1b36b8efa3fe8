/**
 * The value codecs options are made of, named as a message reads: `$.x: expected a positive integer, got 0`.
 * Numbers are finite (JavaScript callers can pass NaN or Infinity; JSON cannot).
 */
import t from '#cjs/io-ts';

const refine = <C extends t.Any>(codec: C, predicate: (value: t.TypeOf<C>) => boolean, name: string) => t.refinement(codec, predicate, name);

export const finite = refine(t.number, Number.isFinite, 'a number');
export const positiveInt = refine(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'a positive integer');
export const nonNegativeInt = refine(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'a non-negative integer');
export const positive = refine(t.number, (n) => Number.isFinite(n) && n > 0, 'a positive number');
export const nonNegative = refine(t.number, (n) => Number.isFinite(n) && n >= 0, 'a non-negative number');
export const fraction = refine(t.number, (n) => n >= 0 && n <= 1, 'a number in [0, 1]');
export const boolean = t.boolean;
export const text = t.string;

export const intAtLeast = (min: number) => refine(t.number, (n) => Number.isSafeInteger(n) && n >= min, `an integer ≥ ${min}`);

/** One of these strings: `expected 'sgd' or 'adam', got "rmsprop"`. */
export function oneOf<const K extends string>(values: readonly K[]) {
  return t.keyof(Object.fromEntries(values.map((v) => [v, null])) as { [P in K]: null }, values.map((v) => `'${v}'`).join(' or '));
}

/** A list; a wrong element is reported at its index. */
export const listOf = <C extends t.Mixed>(item: C, name: string) => t.array(item, name);
export const positiveInts = listOf(positiveInt, 'a list of positive integers');
