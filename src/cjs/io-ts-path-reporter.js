// Browsers' and bundlers' build of a '#cjs/…' import: the package's own ES modules.
export { PathReporter } from 'io-ts/lib/PathReporter.js';
