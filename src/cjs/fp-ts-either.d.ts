export { isLeft, isRight } from 'fp-ts/lib/Either.js';
