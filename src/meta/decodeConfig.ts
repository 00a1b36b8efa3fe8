/** The decoding every meta-training config shares: the one strict decoder (codec/), defaults filled in. */
import t from '#cjs/io-ts';
import { decodeOrThrow } from '../codec/decode.js';
import { options, type Props } from '../codec/strict.js';

/**
 * `codec` is a `t.exact(t.partial({…}))` of the config's fields; unknown keys are refused and every problem is
 * reported at once, each naming `path` (the JSON path of the config in its suite file) and the field.
 */
export function decodeWithDefaults<C extends t.Any, D extends Record<string, unknown>>(codec: C, defaults: D, input: unknown, path: string): D {
  const props: Props = { ...Object.fromEntries(Object.keys(defaults).map((k) => [k, t.unknown])), ...(codec as unknown as { type: { props: Props } }).type.props };
  return decodeOrThrow(options(path, props, defaults as never), input ?? {}, path) as D;
}

