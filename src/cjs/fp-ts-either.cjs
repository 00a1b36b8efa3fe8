// Node's build of a '#cjs/…' import (package.json "imports"; src/tfjs/node.cjs says why): the package through `require`.
'use strict';
const either = require('fp-ts/lib/Either.js');
exports.isLeft = either.isLeft;
exports.isRight = either.isRight;
