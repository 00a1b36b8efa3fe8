// Browsers' and bundlers' build of a '#cjs/…' import: the package's own ES modules.
import * as t from 'io-ts';
export default t;
