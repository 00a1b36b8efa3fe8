/** One decoder for every registry: strict io-ts codecs with defaults, every problem at once, each at its JSON path. */
export { jsonPath, shortJson, describeErrors } from './errors.js';
export { strict, options, StrictType, type Props, type TypeOfProps, type FieldProblem, type StrictSettings } from './strict.js';
export { decodeOrThrow, problemsOf, nestedProblems, OptionsError } from './decode.js';
export * as values from './values.js';
