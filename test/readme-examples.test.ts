/**
 * Every code block of README.md runs as written: each ```ts/```js block is a program of its own
 * (a user copies one at a time), run with tsx in a fresh folder, with `from 'alphaopt'` pointed at
 * this checkout's sources — the one change made to it. Blocks importing 'alphaopt/web' are browser
 * programs, run in Chromium by test/web.test.ts. Every ```json block is a suite file and must
 * decode. Shell blocks are not run.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeSuite, setupBackend } from '../src/index.js';
import { nodePrograms, readmeBlocks } from './helpers/readme.js';

test.before(async () => {
  await setupBackend('cpu'); // decoding a suite builds rules
});

const blocks = readmeBlocks();
const programs = nodePrograms(blocks);
const INDEX = pathToFileURL(path.resolve('src/index.ts')).href;
/** tsx, resolved here: the examples run in a folder of their own, outside this package. */
const TSX = import.meta.resolve('tsx');

test('the README has the examples this test is meant to run', (t) => {
  t.true(programs.length >= 6, `${programs.length} ts/js blocks`);
  t.true(programs.every((b) => b.code.includes("from 'alphaopt'")), 'every example imports the package');
});

for (const block of programs) {
  test(`README.md:${block.line} (${block.lang}) runs as written`, async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-readme-'));
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const file = path.join(dir, `example.${block.lang}`);
    await writeFile(file, block.code.replaceAll("from 'alphaopt'", `from '${INDEX}'`));
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(process.execPath, ['--import', TSX, file], { cwd: dir, timeout: 240_000 }, (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), output: `${stdout}${stderr}` }),
      );
    });
    t.is(code, 0, `README.md:${block.line} failed:\n${output}`);
    t.notRegex(output, /Hi, looks like you are running TensorFlow\.js in Node/, 'examples start a backend before any tensor');
  });
}

test('every JSON block of the README is a valid suite', (t) => {
  const suites = blocks.filter((b) => b.lang === 'json');
  t.true(suites.length >= 1);
  for (const block of suites) t.notThrows(() => decodeSuite(JSON.parse(block.code), `README.md:${block.line}`), `README.md:${block.line}`);
});
