/**
 * Strict object codecs: io-ts ignores keys it does not know, but a typo'd key in a suite file or an options
 * object would then silently do nothing, so these refuse them — as errors among the others, so every problem
 * of a value is reported at once, each at its JSON path. `options` adds defaults: what a caller leaves out is
 * filled in, and the decoded value is complete. A codec's keys are readable (`keys`), so nothing else has to
 * list them again.
 */
import t from '#cjs/io-ts';
import { isLeft } from '#cjs/fp-ts-either';

export type Props = Record<string, t.Mixed>;
export type TypeOfProps<P extends Props> = { [K in keyof P]: t.TypeOf<P[K]> };

/** A problem found by a check across fields: at `key` of the value (or the value itself), with its message. */
export interface FieldProblem {
  key?: string;
  message: string;
}

export interface StrictSettings<A> {
  /** The message for a key that is not one of `known` (default: `unknown key; expected one of …`). */
  unknownKey?: (known: readonly string[]) => string;
  /** Checks across fields, run once every field has decoded. */
  check?: (value: A) => FieldProblem[];
}

/** An object codec that knows its keys. */
export class StrictType<A> extends t.Type<A, A, unknown> {
  readonly _tag = 'StrictType' as const;
  constructor(
    name: string,
    readonly keys: readonly string[],
    validate: t.Validate<unknown, A>,
  ) {
    super(name, (u): u is A => !isLeft(validate(u, [{ key: '', type: t.unknown, actual: u }])), validate, t.identity);
  }
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

function strictType<A>(name: string, required: Props, optional: Props, settings: StrictSettings<A>, defaults?: Record<string, unknown>): StrictType<A> {
  const known = [...Object.keys(required), ...Object.keys(optional)];
  const unknownKey = settings.unknownKey ?? ((keys) => `unknown key; expected one of ${keys.join(', ')}`);
  const validate: t.Validate<unknown, A> = (u, c) => {
    const input = u === undefined && defaults !== undefined ? {} : u;
    if (!isObject(input)) return t.failure(u, c);
    const errors: t.ValidationError[] = [];
    const out: Record<string, unknown> = defaults === undefined ? {} : structuredClone(defaults);
    for (const [key, value] of Object.entries(input)) {
      if (!known.includes(key)) errors.push({ value, context: t.appendContext(c, key, t.unknown, value), message: unknownKey(known) });
    }
    for (const [key, codec] of [...Object.entries(required), ...Object.entries(optional)]) {
      const value = input[key];
      // An optional key given as `undefined` (a JavaScript caller's `{ seed: undefined }`) counts as absent.
      if (value === undefined && !(key in required)) continue;
      const decoded = codec.validate(value, t.appendContext(c, key, codec, value));
      if (isLeft(decoded)) errors.push(...decoded.left);
      else out[key] = decoded.right;
    }
    if (errors.length > 0) return t.failures(errors);
    const problems = settings.check?.(out as A) ?? [];
    if (problems.length === 0) return t.success(out as A);
    return t.failures(
      problems.map(({ key, message }) => (key === undefined ? { value: out, context: c, message } : { value: out[key], context: t.appendContext(c, key, t.unknown, out[key]), message })),
    );
  };
  return new StrictType<A>(name, known, validate);
}

/** An object with these required and optional keys and no others. */
export function strict<R extends Props, O extends Props>(name: string, required: R, optional: O, settings: StrictSettings<TypeOfProps<R> & Partial<TypeOfProps<O>>> = {}) {
  return strictType<TypeOfProps<R> & Partial<TypeOfProps<O>>>(name, required, optional, settings);
}

/** An options object: every key optional, with its default; unknown keys refused as `unknown option`. */
export function options<P extends Props>(name: string, props: P, defaults: TypeOfProps<P>, settings: StrictSettings<TypeOfProps<P>> = {}) {
  return strictType<TypeOfProps<P>>(name, {}, props, { unknownKey: (keys) => `unknown option; expected one of ${keys.join(', ')}`, ...settings }, defaults);
}
