export { PathReporter } from 'io-ts/lib/PathReporter.js';
