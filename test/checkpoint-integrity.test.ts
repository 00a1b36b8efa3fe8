/**
 * Checkpoint integrity: the SHA-256 of weights.bin in the manifest, verified on load; non-finite
 * meta-parameters refused naming the file and the variable; shipped checkpoints hashed; and a
 * property-based test over damaged checkpoints (manifest mutations, weights truncated, bits
 * flipped, NaN/Inf written) — always a CheckpointError naming the file, never a crash.
 */
import test from 'ava';
import fc from 'fast-check';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  CheckpointError,
  LearnedLrSchedule,
  LstmOptimizer,
  loadLearnedOptimizer,
  loadPretrained,
  pretrainedNames,
  saveCheckpoint,
  setupBackend,
} from '../src/index.js';
import { PRETRAINED_DIR } from '../src/learned/index.js';
import { addWeightsHash } from '../src/learned/checkpoint.js';
import { loadMamlInitialization, saveMamlInitialization } from '../src/meta/maml/mamlCheckpoint.js';

test.before(async () => {
  await setupBackend('cpu');
});

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'alphaopt-integrity-'));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;

async function savedSchedule(): Promise<string> {
  const dir = await tempDir();
  const optimizer = new LearnedLrSchedule({ horizon: 4 });
  await saveCheckpoint(optimizer, dir);
  optimizer.dispose();
  return dir;
}

test('every shipped checkpoint records the SHA-256 of its weights, and it matches', async (t) => {
  const names = pretrainedNames();
  t.true(names.length >= 5);
  for (const name of names) {
    const manifest = await readJson(path.join(PRETRAINED_DIR, name, 'manifest.json'));
    const bytes = await readFile(path.join(PRETRAINED_DIR, name, 'weights.bin'));
    t.deepEqual(manifest['sha256'], { 'weights.bin': sha256(bytes) }, name);
  }
  (await loadPretrained('lstm-quadratic')).dispose();
});

test('a saved checkpoint records its hash; a changed weights file is refused, naming the file and both hashes', async (t) => {
  const dir = await savedSchedule();
  const manifest = await readJson(path.join(dir, 'manifest.json'));
  const bytes = await readFile(path.join(dir, 'weights.bin'));
  t.deepEqual(manifest['sha256'], { 'weights.bin': sha256(bytes) });
  bytes[3] = bytes[3]! ^ 0x01;
  await writeFile(path.join(dir, 'weights.bin'), bytes);
  const error = await t.throwsAsync(loadLearnedOptimizer(dir), { instanceOf: CheckpointError });
  t.regex(error!.message, new RegExp(`${dir}/weights\\.bin is damaged or was changed: its SHA-256 is [0-9a-f]{64}, .*manifest\\.json records [0-9a-f]{64}`));
});

test('a weights file of the right size full of NaN or Inf is refused, naming the file and the variable, even with a matching hash', async (t) => {
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
    const dir = await savedSchedule();
    const values = new Float32Array(4).fill(bad);
    const bytes = new Uint8Array(values.buffer);
    await writeFile(path.join(dir, 'weights.bin'), bytes);
    const manifest = await readJson(path.join(dir, 'manifest.json'));
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, sha256: { 'weights.bin': sha256(bytes) } }));
    await t.throwsAsync(loadLearnedOptimizer(dir), {
      instanceOf: CheckpointError,
      message: new RegExp(`${dir}/weights\\.bin: meta-parameter 'logLearningRate' holds ${bad} at index 0`),
    });
  }
});

test('saving refuses non-finite meta-parameters, naming the variable', async (t) => {
  const optimizer = new LearnedLrSchedule({ horizon: 3 });
  optimizer.metaParams.get('logLearningRate')!.assign(tf.tensor1d([0, Number.NaN, 0]));
  await t.throwsAsync(saveCheckpoint(optimizer, await tempDir()), { instanceOf: CheckpointError, message: /meta-parameter 'logLearningRate' holds NaN at index 1/ });
  optimizer.dispose();
});

test('a manifest written before hashes existed still loads; `checkpoint hash` adds the hash, and never over a damaged file', async (t) => {
  const dir = await savedSchedule();
  const manifestFile = path.join(dir, 'manifest.json');
  const { sha256: recorded, ...old } = await readJson(manifestFile);
  await writeFile(manifestFile, JSON.stringify(old));
  (await loadLearnedOptimizer(dir)).dispose();
  const verify = async (d: string) => (await loadLearnedOptimizer(d)).dispose();
  t.true(await addWeightsHash(dir, verify));
  t.deepEqual((await readJson(manifestFile))['sha256'], recorded);
  t.false(await addWeightsHash(dir, verify), 'a hashed checkpoint is left alone');

  await writeFile(manifestFile, JSON.stringify(old));
  await writeFile(path.join(dir, 'weights.bin'), new Uint8Array(new Float32Array([1, 2, Number.NaN, 4]).buffer));
  await t.throwsAsync(addWeightsHash(dir, verify), { instanceOf: CheckpointError, message: /holds NaN at index 2/ });
  t.is((await readJson(manifestFile))['sha256'], undefined);
});

test('a MAML initialisation is hashed too; a changed or non-finite init.bin is refused, naming the file', async (t) => {
  const dir = await tempDir();
  const report = { method: 'fomaml', curve: [], validation: [], bestIteration: 0, wallMs: 0 };
  await saveMamlInitialization(dir, new Float32Array([1, 2, 3]), { task: 'x', config: {}, report });
  t.deepEqual(Array.from(await loadMamlInitialization(dir, 3)), [1, 2, 3]);
  const file = path.join(dir, 'init.bin');
  await writeFile(file, new Uint8Array(new Float32Array([1, 2, 4]).buffer));
  await t.throwsAsync(loadMamlInitialization(dir, 3), { message: new RegExp(`${file} is damaged or was changed`) });
  const { sha256: _hash, ...old } = await readJson(path.join(dir, 'init.json'));
  await writeFile(path.join(dir, 'init.json'), JSON.stringify(old));
  t.deepEqual(Array.from(await loadMamlInitialization(dir, 3)), [1, 2, 4], 'an init.json from before hashes loads');
  await writeFile(file, new Uint8Array(new Float32Array([1, Number.NaN, 4]).buffer));
  await t.throwsAsync(loadMamlInitialization(dir, 3), { message: new RegExp(`${file}: the initialisation holds NaN at index 1`) });
  await t.throwsAsync(saveMamlInitialization(dir, new Float32Array([Infinity]), { task: 'x', config: {}, report }), { message: /holds Infinity at index 0/ });
});

test('alphaopt checkpoint verify: ok per folder, one line per failure, exit 1', async (t) => {
  const damaged = await savedSchedule();
  await writeFile(path.join(damaged, 'weights.bin'), new Uint8Array(3));
  const { execFile } = await import('node:child_process');
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.resolve('src/cli/index.ts'), 'checkpoint', 'verify', path.join(PRETRAINED_DIR, 'lstm-quadratic'), damaged], (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
  t.is(result.code, 1);
  t.regex(result.stdout, /lstm-quadratic: ok/);
  t.regex(result.stderr, new RegExp(`${damaged}/weights\\.bin is damaged or was changed`));
  t.regex(result.stderr, /1 of 2 checkpoint\(s\) failed/);
  t.notRegex(result.stderr, /\n\s+at /);
});

// ---- property-based: damaged checkpoints ----

type Mutation =
  | { kind: 'manifest-set'; path: Array<string | number>; value: unknown }
  | { kind: 'manifest-delete'; path: Array<string | number> }
  | { kind: 'manifest-truncate'; keep: number }
  | { kind: 'weights-truncate'; keep: number }
  | { kind: 'weights-bitflip'; byte: number; bit: number }
  | { kind: 'weights-nonfinite'; index: number; value: number; rehash: boolean };

const MANIFEST_PATHS: Array<Array<string | number>> = [
  ['format'], ['kind'], ['version'], ['hyperParams'], ['hyperParams', 'hidden'], ['hyperParams', 'layers'], ['hyperParams', 'outputScale'],
  ['weights'], ['weights', 0], ['weights', 0, 'name'], ['weights', 0, 'shape'], ['weights', 0, 'shape', 0], ['weights', 1, 'dtype'],
  ['weights', 4, 'shape'], ['savedAt'], ['sha256'], ['sha256', 'weights.bin'],
];

/** JSON values that stay small when read as sizes (a size of 10⁸ would only test the allocator). */
const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -3, max: 16 }),
  fc.double({ noNaN: false }),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer({ min: -2, max: 40 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('manifest-set' as const), path: fc.constantFrom(...MANIFEST_PATHS), value: jsonValue }),
  fc.record({ kind: fc.constant('manifest-delete' as const), path: fc.constantFrom(...MANIFEST_PATHS) }),
  fc.record({ kind: fc.constant('manifest-truncate' as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant('weights-truncate' as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant('weights-bitflip' as const), byte: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('weights-nonfinite' as const), index: fc.nat(), value: fc.constantFrom(Number.NaN, Infinity, -Infinity), rehash: fc.boolean() }),
);

function setAt(root: unknown, where: Array<string | number>, value: unknown, remove: boolean): void {
  let node = root as Record<string | number, unknown>;
  for (const key of where.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) return;
    node = node[key] as Record<string | number, unknown>;
  }
  const last = where[where.length - 1]!;
  if (remove) delete node[last];
  else node[last] = value;
}

test.serial('property: damaged checkpoints always fail with a CheckpointError naming the file, never a crash', async (t) => {
  const original = await tempDir();
  const lstm = new LstmOptimizer({ hidden: 3, layers: 1 });
  await saveCheckpoint(lstm, original);
  lstm.dispose();
  const manifestText = await readFile(path.join(original, 'manifest.json'), 'utf8');
  const weights = await readFile(path.join(original, 'weights.bin'));
  const dir = await tempDir();
  const counts: Record<string, { runs: number; refused: number; loaded: number }> = {};
  const before = tf.memory().numTensors;

  await fc.assert(
    fc.asyncProperty(mutation, async (m) => {
      let text = manifestText;
      let bytes = new Uint8Array(weights);
      if (m.kind === 'manifest-set' || m.kind === 'manifest-delete') {
        const json = JSON.parse(manifestText) as unknown;
        setAt(json, m.path, m.kind === 'manifest-set' ? m.value : undefined, m.kind === 'manifest-delete');
        text = JSON.stringify(json);
      } else if (m.kind === 'manifest-truncate') {
        text = manifestText.slice(0, m.keep % manifestText.length);
      } else if (m.kind === 'weights-truncate') {
        bytes = bytes.slice(0, m.keep % bytes.length);
      } else if (m.kind === 'weights-bitflip') {
        bytes[m.byte % bytes.length] ^= 1 << m.bit;
      } else {
        new DataView(bytes.buffer).setFloat32(4 * (m.index % (bytes.length / 4)), m.value, true);
        if (m.rehash) text = JSON.stringify({ ...JSON.parse(manifestText), sha256: { 'weights.bin': sha256(bytes) } });
      }
      await writeFile(path.join(dir, 'manifest.json'), text);
      await writeFile(path.join(dir, 'weights.bin'), bytes);
      const tally = (counts[m.kind] ??= { runs: 0, refused: 0, loaded: 0 });
      tally.runs++;
      try {
        (await loadLearnedOptimizer(dir)).dispose();
        tally.loaded++;
        // Only the options and the date may change and still load (the kind checks its options), or the
        // hash be absent (a manifest written before hashes existed).
        return sameBytes(bytes, weights) && sameButOptions(text, manifestText);
      } catch (error) {
        tally.refused++;
        const message = (error as Error).message;
        return (
          error instanceof CheckpointError &&
          message.includes(dir) &&
          /manifest\.json|weights\.bin/.test(message) &&
          !/\n\s+at /.test(message) &&
          message.length < 1200
        );
      }
    }),
    { numRuns: 1500, seed: 14 },
  );
  t.is(tf.memory().numTensors, before, 'failed loads leave no tensors behind');
  const total = Object.values(counts).reduce((n, c) => n + c.runs, 0);
  t.log(`damaged checkpoints: ${total} runs — ${Object.entries(counts).map(([k, c]) => `${k} ${c.runs} (${c.refused} refused, ${c.loaded} loaded)`).join('; ')}`);
  t.is(total, 1500);
});

function sameButOptions(mutated: string, original: string): boolean {
  const a = JSON.parse(mutated) as Record<string, unknown>;
  const b = JSON.parse(original) as Record<string, unknown>;
  const strip = (m: Record<string, unknown>) => JSON.stringify({ ...m, hyperParams: null, savedAt: null, sha256: a['sha256'] === undefined ? null : m['sha256'] });
  return strip(a) === strip(b);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
