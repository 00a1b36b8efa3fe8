// Node's build of a '#cjs/…' import (package.json "imports"; src/tfjs/node.cjs says why): the package through `require`.
'use strict';
const t = require('io-ts');
module.exports = t;
