/** The one decoding entry point that throws: a value, or an OptionsError listing every problem at its path. */
import type * as t from 'io-ts';
import { isLeft } from '#cjs/fp-ts-either';
import { describeErrors } from './errors.js';
import type { FieldProblem } from './strict.js';

/** Every problem of a value, each starting with its path; the message joins them, first problem first. */
export class OptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'OptionsError';
  }
}

/** Decodes `input`, which sits at `path` (`lstm`, `$.tasks[0].options`), or throws an OptionsError. */
export function decodeOrThrow<A>(codec: t.Decoder<unknown, A>, input: unknown, path: string): A {
  const decoded = codec.decode(input);
  if (isLeft(decoded)) throw new OptionsError(describeErrors(decoded.left, path));
  return decoded.right;
}

/** The problems of a thrown error, one per line: an OptionsError's list, or any other error's message. */
export function problemsOf(error: unknown): string[] {
  if (error instanceof OptionsError) return error.problems;
  return [error instanceof Error ? error.message : String(error)];
}

/**
 * The problems of a nested value that has a decoder of its own (a rule spec, a MAML config), placed where they
 * are: `run(key)` decodes it as if it sat at `key`, and each problem it throws becomes a FieldProblem at its own path
 * below `key` (`maml.config.innerSteps`), for the enclosing codec's `check`.
 */
export function nestedProblems(key: string, run: (path: string) => void): FieldProblem[] {
  try {
    run(key);
    return [];
  } catch (error) {
    return problemsOf(error).map((problem) => {
      const split = problem.indexOf(': ');
      return problem.startsWith(key) && split > 0 ? { key: problem.slice(0, split), message: problem.slice(split + 2) } : { key, message: problem };
    });
  }
}
