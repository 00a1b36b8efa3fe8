// Node's build of a '#cjs/…' import (package.json "imports"; src/tfjs/node.cjs says why): the package through `require`.
'use strict';
exports.PNG = require('pngjs').PNG;
