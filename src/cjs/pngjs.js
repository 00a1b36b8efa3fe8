// Browsers' and bundlers' build of a '#cjs/…' import: the package's own ES modules.
export { PNG } from 'pngjs';
