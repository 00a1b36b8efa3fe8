// `#tfjs` in Node: tfjs's CommonJS build through `require`. Node's ES-module import of it lexes
// tfjs's bundles (~2.5 MB) for their export names first: ~0.3 s of CPU in every process that
// starts (a pool's children, the CLI). `require` returns the same module instance that a user's
// `import * as tf from '@tensorflow/tfjs'` wraps, so tensors pass between the two.
// `module.exports = tf`, not `= require(…)`: Node's lexer would follow the latter and lex tfjs anyway.
'use strict';
const tf = require('@tensorflow/tfjs');
module.exports = tf;
