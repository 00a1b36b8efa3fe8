/**
 * src/ takes tfjs from `#tfjs` and other CommonJS packages from `#cjs/…` (package.json "imports"; in Node a
 * `require`, src/tfjs/node.cjs, src/cjs/*.cjs), so no process pays Node's ES-module lexing of their code
 * (bench/README.md, "CommonJS packages through require").
 * That must stay the instance a user's `import * as tf from '@tensorflow/tfjs'` gets: one engine, one
 * tensor class, one memory count.
 */
import test from 'ava';
import tf from '#tfjs';
import * as userTf from '@tensorflow/tfjs';
import { rewriteCjsImports } from '../scripts/cjs-imports.js';
import { silenceCpuBanner } from '../src/backend/setup.js';

silenceCpuBanner();

test('every src/ file imports tfjs and the other CommonJS packages through #tfjs and #cjs/… (npx tsx scripts/cjs-imports.ts rewrites the rest)', async (t) => {
  t.deepEqual(await rewriteCjsImports(true), []);
});

test("#tfjs is the same tfjs instance as a user's ES-module import of @tensorflow/tfjs", (t) => {
  t.is(tf.engine(), userTf.engine());
  const before = userTf.memory().numTensors;
  const mine = tf.tensor1d([1, 2, 3]);
  const theirs = userTf.tensor1d([4, 5, 6]);
  t.true(mine instanceof userTf.Tensor);
  t.true(theirs instanceof tf.Tensor);
  t.is(userTf.memory().numTensors, before + 2);
  const sum = tf.add(mine, theirs);
  t.deepEqual(Array.from(sum.dataSync()), [5, 7, 9]);
  tf.dispose([mine, theirs, sum]);
  t.is(tf.memory().numTensors, before);
});
