/**
 * Readable io-ts errors: one line per problem, with its JSON path, what was expected and what was found.
 * Every decoder of the package (suite files, rule specs, task and learned-optimizer options, meta-training
 * configs, run records) reports through here.
 */
import type * as t from 'io-ts';

/** `$.optimizers[0].grid.learningRate[2]` from an io-ts context (skipping the members of unions and intersections). */
export function jsonPath(context: t.Context): string {
  let path = '$';
  context.forEach((entry, i) => {
    if (i === 0) return;
    let parent = context[i - 1]!.type as { _tag?: string; type?: { _tag?: string } };
    // A recursive codec (t.recursion) adds no level of its own: look at its definition.
    if (parent._tag === 'RecursiveType' && parent.type !== undefined) parent = parent.type;
    if (parent._tag === 'UnionType' || parent._tag === 'IntersectionType' || parent._tag === 'RefinementType') return;
    path += /^\d+$/.test(entry.key) ? `[${entry.key}]` : `.${entry.key}`;
  });
  return path;
}

/** A value as JSON, cut short: a message names a field, it does not dump a record. */
export function shortJson(value: unknown, max = 60): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * One line per wrong place, `at` standing for the decoded value's own path. An error that carries its own
 * message (an unknown key, a check across fields) is reported with it; otherwise the line says what the
 * codecs at that place expected (all members of a union together) and what was found.
 */
export function describeErrors(errors: t.Errors, at = '$'): string[] {
  const byPath = new Map<string, { expected: Set<string>; value: unknown; messages: string[] }>();
  for (const error of errors) {
    const path = at + jsonPath(error.context).slice(1);
    const entry = byPath.get(path) ?? { expected: new Set<string>(), value: error.value, messages: [] };
    if (error.message !== undefined) entry.messages.push(error.message);
    else entry.expected.add(error.context[error.context.length - 1]?.type.name ?? 'a valid value');
    byPath.set(path, entry);
  }
  return [...byPath.entries()].flatMap(([path, { expected, value, messages }]) => [
    ...messages.map((message) => `${path}: ${message}`),
    ...(expected.size === 0 ? [] : [value === undefined ? `${path}: missing; expected ${[...expected].join(' or ')}` : `${path}: expected ${[...expected].join(' or ')}, got ${shortJson(value)}`]),
  ]);
}
