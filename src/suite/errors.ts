/** A suite file's problems, all at once; the readable io-ts errors they are made of live in codec/errors.ts. */
export { jsonPath, shortJson, describeErrors } from '../codec/errors.js';

export class SuiteError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not a valid suite:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SuiteError';
  }
}
