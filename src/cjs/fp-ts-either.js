// Browsers' and bundlers' build of a '#cjs/…' import: the package's own ES modules.
export { isLeft, isRight } from 'fp-ts/lib/Either.js';
