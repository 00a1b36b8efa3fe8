// Node's build of a '#cjs/…' import (package.json "imports"; src/tfjs/node.cjs says why): the package through `require`.
'use strict';
const yauzl = require('yauzl');
module.exports = yauzl;
