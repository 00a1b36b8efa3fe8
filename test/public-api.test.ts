/**
 * The public API: `alphaopt` holds the names a user needs; internals have subpaths (`alphaopt/backend`, …) in
 * package.json's "exports", each with its types. Each subpath is resolved through the exports map (the package
 * refers to itself by name, as a user's import would), must point at the build of a `src/<folder>/index.ts`,
 * and that module must hold the internals the root no longer does.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as root from '../src/index.js';

/** Internals and where they live now. */
const MOVED: Record<string, string[]> = {
  backend: ['ADDED_WASM_KERNELS', 'REPLACED_WASM_KERNELS', 'registerWasmTrainingKernels', 'wasmHeapBytes', 'memoryBudget', 'probeWebgpu', 'loadTensorflow'],
  rules: ['adam', 'chain', 'ruleFromSpec', 'RULE_OPTIONS'],
  codec: ['strict', 'options', 'decodeOrThrow', 'describeErrors'],
  learned: ['preprocessGradient', 'PRETRAINED_DIR', 'readManifest', 'POLICY_DEFAULTS'],
  tasks: ['rotateQuarter', 'sampleEpisode', 'convNet', 'resNet', 'gradientNoise', 'gaussianClusters', 'IMAGE_NETS'],
  meta: ['trainTruncated', 'bpttEstimator', 'esEstimator', 'esEstimatorWith', 'pesEstimator', 'openEsPairPool', 'openPesParticlePool', 'unroll', 'trainPpo', 'trainMamlInitialization', 'decodeMetaTrainConfig', 'metaTrainers', 'scoreRule', 'DQN_DEFAULTS', 'ACTOR_CRITIC_CONFIG_DEFAULTS'],
  suite: ['planGroups', 'sizeGroups', 'measurePeakBytes', 'runHalvingOnFailure', 'runKey', 'collectProvenance'],
  data: ['decodeDrawing', 'DATASETS', 'fetchDataset', 'locateDataset', 'loadMnistLike', 'loadCifar10', 'loadOmniglot'],
  models: ['mnistCnn', 'mnistMlp', 'trainingStep', 'randomBatch'],
  queue: ['openQueuedPerturbations', 'submitSuite', 'startWorker'],
};
/** Names the root must keep: what the README's examples and a user's first program use. */
const USER_FACING = ['tf', 'setupBackend', 'rules', 'codec', 'toTfjsOptimizer', 'RuleOptimizer', 'loadPretrained', 'loadLearnedOptimizer', 'saveCheckpoint', 'createLearnedOptimizer', 'registerLearnedOptimizer', 'registerTaskKind', 'LstmOptimizer', 'DqnController', 'familyOf', 'randomQuadraticTask', 'metaTrain', 'readSuite', 'decodeSuite', 'runSuite', 'SuiteError'];

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, Record<string, unknown>> };

test('the root exports the user-facing names and none of the internals', (t) => {
  const names = Object.keys(root);
  for (const name of USER_FACING) t.true(names.includes(name), `alphaopt exports ${name}`);
  for (const [subpath, moved] of Object.entries(MOVED)) {
    if (subpath === 'rules' || subpath === 'codec') continue; // namespaces of the root too (rules.adam, codec.options)
    for (const name of moved) t.false(names.includes(name), `${name} lives in alphaopt/${subpath}, not in alphaopt`);
  }
  t.log(`alphaopt exports ${names.length} names`);
});

for (const [subpath, moved] of Object.entries(MOVED)) {
  test(`alphaopt/${subpath} resolves through the exports map to the build of src/${subpath}/index.ts, with its types, and holds ${moved.slice(0, 2).join(', ')}, …`, async (t) => {
    const entry = pkg.exports[`./${subpath}`];
    t.truthy(entry, `package.json exports ./${subpath}`);
    t.is(entry!['types'], `./dist/${subpath}/index.d.ts`);
    const resolved = fileURLToPath(import.meta.resolve(`alphaopt/${subpath}`));
    t.is(path.relative(process.cwd(), resolved), path.join('dist', subpath, 'index.js'));
    const source = path.join('src', subpath, 'index.ts');
    t.true(existsSync(source), `${source} is what dist/${subpath}/index.js is built from`);
    const module = (await import(`../src/${subpath}/index.js`)) as Record<string, unknown>;
    for (const name of moved) t.not(module[name], undefined, `alphaopt/${subpath} exports ${name}`);
  });
}

test('the root and the browser entry keep their export conditions', (t) => {
  const rootEntry = pkg.exports['.'] as { browser: { import: string }; import: string };
  t.is(rootEntry.import, './dist/index.js');
  t.is(rootEntry.browser.import, './dist/web/index.js');
  t.is((pkg.exports['./web'] as { import: string }).import, './dist/web/index.js');
});
