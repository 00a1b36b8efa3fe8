/**
 * `#tfjs` (package.json "imports"): tfjs as one default-exported namespace. In Node it is
 * loaded with `require` (node.cjs), in browsers imported (browser.js): same package, same types.
 */
import * as tf from '@tensorflow/tfjs';
export default tf;
