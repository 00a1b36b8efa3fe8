/** The decoding every meta-training config shares: io-ts shape check, unknown keys refused, defaults filled in. */
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';

/** Errors name `path` (the JSON path of the config in its suite file) and the field. */
export function decodeWithDefaults<C extends t.Any, D extends Record<string, unknown>>(codec: C, defaults: D, input: unknown, path: string): D {
  const decoded = codec.decode(input ?? {});
  if (isLeft(decoded)) throw new Error(`${path}: ${PathReporter.report(decoded).join('; ')}`);
  // io-ts ignores unknown keys; a typo'd key would silently do nothing, so refuse it.
  const extra = Object.keys((input ?? {}) as object).filter((k) => !(k in defaults));
  if (extra.length > 0) throw new Error(`${path}.${extra[0]}: unknown option; expected one of ${Object.keys(defaults).join(', ')}`);
  return { ...defaults, ...(decoded.right as object) };
}

/** Throws unless every named field is a positive integer. */
export function requirePositiveIntegers<D extends Record<string, unknown>>(config: D, keys: ReadonlyArray<keyof D & string>, path: string): void {
  for (const key of keys) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new Error(`${path}.${key}: expected a positive integer, got ${JSON.stringify(value)}`);
  }
}
