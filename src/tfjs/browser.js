// `#tfjs` in browsers and bundlers: tfjs's ES modules, the instance every other import of
// '@tensorflow/tfjs' in the bundle gets (a bundler's `require` of it could pick its CommonJS build).
import * as tf from '@tensorflow/tfjs';
export default tf;
