/**
 * Property-based: thousands of mutated suite files (wrong types, missing and
 * unknown keys, out-of-range numbers, huge grids, unicode names) never crash the
 * decoder the CLI uses; each is either a valid suite or a SuiteError whose every
 * problem starts with a JSON path. A few go through the real `alphaopt run`:
 * non-zero exit, a message with a JSON path, no stack trace, no file written.
 */
import test from 'ava';
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decodeSuite } from '../src/suite/decode.js';
import { SuiteError } from '../src/suite/errors.js';
import { runCli } from './helpers/cli.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

const base = (): Json => ({
  name: 'fuzz',
  description: 'a suite to break',
  backend: 'cpu',
  steps: 10,
  seeds: 2,
  metrics: ['finalLoss', 'auc'],
  tasks: [{ task: 'rosenbrock' }, { task: 'randomQuadratic', options: { dimension: 3 }, gradientNoise: 0.1, id: 'q3', threshold: 0.5 }, { task: 'logisticRegression', options: { points: 20 } }],
  optimizers: [
    { name: 'adam', rule: 'adam', grid: { learningRate: [0.01, 0.1], beta1: [0.8, 0.9] } },
    { name: 'clipped', rule: { rule: 'chain', options: { rules: [{ rule: 'clipByGlobalNorm', options: { maxNorm: 1 } }, { rule: 'momentum', options: { learningRate: 0.01, momentum: 0.9 } }] } }, tasks: ['q3'] },
    { name: 'scheduled', rule: { rule: 'sgd', options: { learningRate: { schedule: 'cosineDecay', initial: 0.1, decaySteps: 10 } } } },
    { name: 'learned', learned: { kind: 'lr-schedule', hyperParams: { horizon: 10 }, checkpoint: 'nowhere', metaTrain: { task: { task: 'randomQuadratic', options: { dimension: 2 } }, config: { iterations: 5 } } } },
  ],
});

function paths(value: Json, at: Path = []): Path[] {
  const children = Array.isArray(value) ? value.map((v, i) => paths(v, [...at, i])) : value !== null && typeof value === 'object' ? Object.entries(value).map(([k, v]) => paths(v, [...at, k])) : [];
  return [at, ...children.flat()];
}

function get(root: Json, at: Path): Json {
  return at.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k]!, root);
}

/** Returns the new root (a replaced root is a new value). */
function set(root: Json, at: Path, value: Json | undefined): Json {
  if (at.length === 0) return value ?? null;
  const parent = get(root, at.slice(0, -1)) as Record<string | number, Json>;
  const key = at[at.length - 1]!;
  if (value !== undefined) parent[key] = value;
  else if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key];
  return root;
}

const weird = fc.constantFrom(0, -1, -0.5, 1.5, 1e300, -1e300, 1e-320, 2 ** 53, 1e7 + 1, 1e12);
const unicode = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 });
const mutation = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('hugeGrid' as const), pick: fc.nat(), keys: fc.uniqueArray(fc.constantFrom('learningRate', 'beta1', 'momentum', 'learningRat', 'ηλ'), { minLength: 1, maxLength: 3 }), size: fc.integer({ min: 1, max: 12_000 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('number' as const), pick: fc.nat(), value: fc.oneof(weird, fc.double({ noNaN: true, noDefaultInfinity: true })) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('unknownKey' as const), pick: fc.nat(), key: unicode, value: fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json> }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('unicode' as const), pick: fc.nat(), value: unicode }), weight: 3 },
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(root: Json, generated: Mutation): Json {
  const m = structuredClone(generated); // fast-check reuses its values (shrinking): never mutate them in place
  const all = paths(root);
  const pick = <T>(list: T[]) => list[m.pick % list.length];
  switch (m.kind) {
    case 'replace':
      return set(root, pick(all)!, m.value);
    case 'number':
      return set(root, pick(all)!, m.value);
    case 'delete': {
      const at = pick(all.filter((p) => p.length > 0));
      return at === undefined ? root : set(root, at, undefined);
    }
    case 'unknownKey': {
      const at = pick(all.filter((p) => { const v = get(root, p); return v !== null && typeof v === 'object' && !Array.isArray(v); }));
      if (at !== undefined) (get(root, at) as Record<string, Json>)[m.key] = m.value;
      return root;
    }
    case 'unicode': {
      const at = pick(all.filter((p) => typeof get(root, p) === 'string'));
      return at === undefined ? root : set(root, at, m.value);
    }
    case 'hugeGrid': {
      const optimizers = root !== null && typeof root === 'object' && !Array.isArray(root) ? root['optimizers'] : undefined;
      if (!Array.isArray(optimizers) || optimizers.length === 0) return root;
      const entry = pick(optimizers);
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return root;
      entry['grid'] = Object.fromEntries(m.keys.map((k, j) => [k, Array.from({ length: m.size }, (_, i) => (i + j + 1) / (m.size + 1))]));
      return root;
    }
  }
}

/** A mutated suite as the CLI would read it (through JSON: no NaN, no undefined). */
// Huge grids go in last, so that the other mutations do not walk their thousands of values.
const hugeLast = (ms: Mutation[]) => [...ms.filter((m) => m.kind !== 'hugeGrid'), ...ms.filter((m) => m.kind === 'hugeGrid')];
const mutatedSuite = fc.array(mutation, { minLength: 1, maxLength: 4 }).map((ms) => JSON.parse(JSON.stringify(hugeLast(ms).reduce(mutate, base()))) as Json);

const PATH = /^\$(?:[.[][^\n]*)?: /;

function outcome(raw: Json): { valid: boolean; problems: string[] } {
  try {
    decodeSuite(raw, 'fuzz.json');
    return { valid: true, problems: [] };
  } catch (error) {
    if (!(error instanceof SuiteError)) throw new Error(`not a SuiteError: ${(error as Error).stack}`);
    return { valid: false, problems: error.problems };
  }
}

test('thousands of mutated suites: a valid suite or a SuiteError whose every problem names its JSON path; nothing crashes, no tensor leaks', (t) => {
  const counts = { valid: 0, rejected: 0, problems: 0 };
  const tensors = tf.memory().numTensors;
  fc.assert(
    fc.property(mutatedSuite, (raw) => {
      const { valid, problems } = outcome(raw);
      if (valid) counts.valid++;
      else counts.rejected++;
      counts.problems += problems.length;
      if (!valid && problems.length === 0) throw new Error('rejected without a problem');
      for (const p of problems) {
        if (!PATH.test(p)) throw new Error(`problem without a JSON path: ${p}`);
        if (/\n\s+at /.test(p)) throw new Error(`stack trace in a problem: ${p}`);
        if (p.length > 1000) throw new Error(`a ${p.length}-character problem`);
      }
    }),
    { numRuns: 3000, seed: 14, includeErrorInReport: true },
  );
  t.is(tf.memory().numTensors, tensors);
  t.true(counts.rejected > 1000 && counts.valid > 0, JSON.stringify(counts));
  t.log(`3000 mutated suites: ${counts.rejected} rejected with ${counts.problems} problems, ${counts.valid} still valid`);
});

test.serial('a handful through the real CLI: non-zero exit, every problem with its JSON path, no stack trace, no file written', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-fuzz-'));
  const invalid = fc.sample(mutatedSuite.filter((raw) => !outcome(raw).valid), { numRuns: 3, seed: 7 });
  const results = await Promise.all(
    invalid.map(async (raw, i) => {
      const file = path.join(dir, `suite-${i}.json`);
      await writeFile(file, JSON.stringify(raw));
      return runCli(['run', file, '--out', path.join(dir, `out-${i}`)], { cwd: dir });
    }),
  );
  for (const [i, result] of results.entries()) {
    t.not(result.code, 0);
    t.regex(result.stderr, /is not a valid suite:\n {2}- \$/, result.stderr);
    t.notRegex(result.stderr, /\n\s+at /, 'no stack trace');
    t.false(existsSync(path.join(dir, `out-${i}`)));
  }
  t.deepEqual((await readdir(dir)).sort(), invalid.map((_, i) => `suite-${i}.json`).sort(), 'nothing but the suites in the folder');
});
