/** Readable io-ts errors: one line per problem, with its JSON path, what was expected and what was found. */
import type * as t from 'io-ts';

export class SuiteError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not a valid suite:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SuiteError';
  }
}

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

export function describeErrors(errors: t.Errors, at = '$'): string[] {
  const byPath = new Map<string, { expected: Set<string>; value: unknown }>();
  for (const error of errors) {
    const path = at + jsonPath(error.context).slice(1);
    const expected = error.context[error.context.length - 1]?.type.name ?? 'a valid value';
    const entry = byPath.get(path) ?? { expected: new Set<string>(), value: error.value };
    entry.expected.add(expected);
    byPath.set(path, entry);
  }
  return [...byPath.entries()].map(([path, { expected, value }]) =>
    value === undefined ? `${path}: missing; expected ${[...expected].join(' or ')}` : `${path}: expected ${[...expected].join(' or ')}, got ${shortJson(value)}`,
  );
}
