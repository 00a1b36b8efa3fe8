/**
 * What a pool worker (and a queue sandbox) pays before its first unit: it loads the
 * modules its handler needs and not the report's plotting (vega, vega-lite, d3 and
 * src/reporting's plots: ~290 modules, ~0.25 s of CPU per process, bench/README.md
 * "pool start-up"). A fresh Node process imports each handler module with a resolve
 * hook that lists every module it loads; so does the CLI at its start. Nor does a worker import tfjs (or io-ts, fp-ts, pngjs, yauzl) as
 * an ES module: src/ takes them from `#tfjs` and `#cjs/…`, which Node loads with `require` (src/tfjs/,
 * src/cjs/) — the ES-module loader would first lex their CommonJS code, ~0.4 s of CPU per process.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The URLs of every module a fresh process resolves while importing `entry` (a file under src/), with `argv` as its arguments. */
async function modulesLoadedBy(entry: string, argv: string[] = []): Promise<string[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-modules-'));
  const list = path.join(dir, 'modules.txt');
  await writeFile(path.join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const resolved = await next(specifier, context);\n  appendFileSync(${JSON.stringify(list)}, resolved.url + '\\n');\n  return resolved;\n}\n`);
  await writeFile(path.join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n`);
  await writeFile(path.join(dir, 'entry.mjs'), `process.argv.push(...${JSON.stringify(argv)});\nawait import(${JSON.stringify(pathToFileURL(path.resolve(entry)).href)});\n`);
  await writeFile(list, '');
  await run(process.execPath, ['--import=tsx', '--import', pathToFileURL(path.join(dir, 'register.mjs')).href, path.join(dir, 'entry.mjs')], { cwd: process.cwd() });
  return (await readFile(list, 'utf8')).split('\n').filter((l) => l !== '');
}

const plotting = (url: string) => /\/node_modules\/(vega|vega-[^/]+|d3-[^/]+)\//.test(url) || /\/src\/reporting\/(index|plots|report)\.[jt]s$/.test(url);

for (const entry of ['src/pool/handlers.ts', 'src/suite/unitHandler.ts', 'src/meta/es/esPairHandler.ts', 'src/meta/pes/pesParticleHandler.ts', 'src/queue/processor.ts']) {
  test(`${entry} (what a worker process loads) does not load the report's plotting modules`, async (t) => {
    const loaded = await modulesLoadedBy(entry);
    t.true(loaded.some((url) => url.includes('/src/')), 'the hook saw the project modules');
    t.deepEqual(loaded.filter(plotting), []);
  });
}

test("the CLI's start (alphaopt --version) loads neither the report's plotting nor the queue's BullMQ and ioredis", async (t) => {
  const loaded = await modulesLoadedBy('src/cli/index.ts', ['--version']);
  t.true(loaded.some((url) => url.includes('/src/cli/')), 'the hook saw the CLI modules');
  t.deepEqual(loaded.filter(plotting), []);
  t.deepEqual(loaded.filter((url) => /\/node_modules\/(bullmq|ioredis)\//.test(url)), []);
});

for (const entry of ['src/pool/worker.ts', 'src/index.ts']) {
  test(`${entry} takes tfjs and the other CommonJS packages through #tfjs's and #cjs's require, never as ES modules`, async (t) => {
    const loaded = await modulesLoadedBy(entry);
    t.true(loaded.some((url) => url.endsWith('/src/tfjs/node.cjs')), '#tfjs resolved to its Node build');
    t.true(loaded.some((url) => url.endsWith('/src/cjs/io-ts.cjs')), '#cjs/io-ts resolved to its Node build');
    t.deepEqual(loaded.filter((url) => /\/node_modules\/(@tensorflow\/tfjs|io-ts|fp-ts|pngjs|yauzl)\//.test(url)), []);
  });
}
