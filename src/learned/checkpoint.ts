/**
 * Checkpoints: `manifest.json` (kind, version, hyper-parameters, weight names and
 * shapes, the SHA-256 of `weights.bin`; validated with io-ts on load) and `weights.bin`
 * (float32, little-endian, in manifest order).
 *
 * Integrity on load: the hash must match, and every meta-parameter must be finite (a
 * file of the right size full of NaN would otherwise load and make training diverge).
 * A manifest without `sha256` was written before hashes existed: it still loads (its
 * values are still checked); `alphaopt checkpoint hash DIR` adds the hash.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { firstNonFinite, sha256Hex } from './integrity.js';
import type { JsonValue, LearnedOptimizer } from './types.js';

export const CHECKPOINT_FORMAT = 'alphaopt-learned-optimizer';

const Json: t.Type<JsonValue> = t.recursion('Json', () =>
  t.union([t.number, t.string, t.boolean, t.null, t.array(Json), t.record(t.string, Json)]),
);

export const WEIGHTS_FILE = 'weights.bin';

interface Sha256Brand {
  readonly Sha256: unique symbol;
}
const Sha256 = t.brand(t.string, (s): s is t.Branded<string, Sha256Brand> => /^[0-9a-f]{64}$/.test(s), 'Sha256');
const Dimension = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'NonNegativeInteger');

export const Manifest = t.intersection([
  t.type({
    format: t.literal(CHECKPOINT_FORMAT),
    kind: t.string,
    version: t.number,
    hyperParams: t.record(t.string, Json),
    weights: t.array(t.type({ name: t.string, shape: t.array(Dimension), dtype: t.literal('float32') })),
    savedAt: t.string,
  }),
  // Hex SHA-256 of each weights file, by file name; absent in checkpoints written before hashes existed.
  t.partial({ sha256: t.type({ [WEIGHTS_FILE]: Sha256 }) }),
]);
export type Manifest = t.TypeOf<typeof Manifest>;

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

async function writeAtomically(file: string, data: string | Uint8Array): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  await writeFile(temp, data);
  await rename(temp, file);
}

export async function saveCheckpoint(optimizer: LearnedOptimizer, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const entries = [...optimizer.metaParams.entries()];
  const arrays = await Promise.all(entries.map(([, v]) => v.data() as Promise<Float32Array>));
  arrays.forEach((values, i) => {
    const bad = firstNonFinite(values);
    if (bad !== undefined) throw new CheckpointError(`not saving ${dir}: meta-parameter '${entries[i]![0]}' holds ${bad.value} at index ${bad.index}`);
  });
  const bytes = new Uint8Array(arrays.reduce((n, a) => n + a.byteLength, 0));
  let offset = 0;
  for (const a of arrays) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset += a.byteLength;
  }
  const manifest: Manifest = {
    format: CHECKPOINT_FORMAT,
    kind: optimizer.kind,
    version: optimizer.version,
    hyperParams: optimizer.hyperParams,
    weights: entries.map(([name, v]) => ({ name, shape: v.shape, dtype: 'float32' as const })),
    savedAt: new Date().toISOString(),
    sha256: { [WEIGHTS_FILE]: sha256Hex(bytes) as t.TypeOf<typeof Sha256> },
  };
  await writeAtomically(path.join(dir, WEIGHTS_FILE), bytes);
  await writeAtomically(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

export async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CheckpointError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const decoded = Manifest.decode(raw);
  if (isLeft(decoded)) {
    // One line per problem, each cut short: a damaged manifest must not print kilobytes of JSON.
    const problems = [...new Set(PathReporter.report(decoded).map((line) => (line.length > 160 ? `${line.slice(0, 160)}…` : line)))];
    throw new CheckpointError(`${file} is not an alphaopt checkpoint manifest: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`);
  }
  return decoded.right;
}

/** Reads weights.bin, checks it against the manifest's hash (when it has one) and size; float32 values in manifest order. */
export async function readCheckedWeights(dir: string, manifest: Manifest): Promise<Float32Array> {
  const file = path.join(dir, WEIGHTS_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new CheckpointError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const recorded = manifest.sha256?.[WEIGHTS_FILE];
  if (recorded !== undefined) {
    const actual = sha256Hex(bytes);
    if (actual !== recorded) {
      throw new CheckpointError(`${file} is damaged or was changed: its SHA-256 is ${actual}, ${path.join(dir, 'manifest.json')} records ${recorded}; restore the file or meta-train again`);
    }
  }
  const expectedBytes = manifest.weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (bytes.byteLength !== expectedBytes) {
    throw new CheckpointError(`${file} has ${bytes.byteLength} bytes; the manifest describes ${expectedBytes}`);
  }
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let offset = 0;
  for (const w of manifest.weights) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    const bad = firstNonFinite(floats.subarray(offset, offset + size));
    if (bad !== undefined) throw new CheckpointError(`${file}: meta-parameter '${w.name}' holds ${bad.value} at index ${bad.index}; a checkpoint must be finite — restore it or meta-train again`);
    offset += size;
  }
  return floats;
}

/** Loads checked weights (`readCheckedWeights`) into an optimizer built from the manifest's hyper-parameters; kinds and shapes must match. */
export function loadWeightsInto(optimizer: LearnedOptimizer, dir: string, manifest: Manifest, floats: Float32Array): void {
  const manifestFile = path.join(dir, 'manifest.json');
  if (manifest.kind !== optimizer.kind) {
    throw new CheckpointError(`${dir} holds a '${manifest.kind}' checkpoint, not '${optimizer.kind}'`);
  }
  if (manifest.version !== optimizer.version) {
    throw new CheckpointError(`${manifestFile}: '${manifest.kind}' version ${manifest.version}; this build reads version ${optimizer.version}`);
  }
  let offset = 0;
  for (const w of manifest.weights) {
    const target = optimizer.metaParams.get(w.name);
    if (target === undefined) throw new CheckpointError(`${manifestFile}: weight '${w.name}' does not exist in a '${optimizer.kind}' optimizer`);
    if (!tf.util.arraysEqual(target.shape, w.shape)) {
      throw new CheckpointError(`${manifestFile}: weight '${w.name}' has shape [${w.shape}] but this '${optimizer.kind}' optimizer needs [${target.shape}]`);
    }
    const size = w.shape.reduce((a, b) => a * b, 1);
    tf.tidy(() => target.assign(tf.tensor(floats.subarray(offset, offset + size), w.shape)));
    offset += size;
  }
  const missing = [...optimizer.metaParams.keys()].filter((name) => !manifest.weights.some((w) => w.name === name));
  if (missing.length > 0) throw new CheckpointError(`${manifestFile}: no values for weights ${missing.join(', ')}`);
}

/**
 * Records the SHA-256 of weights.bin in a manifest written before hashes existed, once the
 * checkpoint has passed every other check (`verify` loads it). Returns false when it had one.
 * A hash that disagrees with the file is never replaced.
 */
export async function addWeightsHash(dir: string, verify: (dir: string) => Promise<void>): Promise<boolean> {
  const manifest = await readManifest(dir);
  if (manifest.sha256 !== undefined) {
    await verify(dir);
    return false;
  }
  await verify(dir);
  const file = path.join(dir, 'manifest.json');
  const raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  raw['sha256'] = { [WEIGHTS_FILE]: sha256Hex(await readFile(path.join(dir, WEIGHTS_FILE))) };
  await writeAtomically(file, `${JSON.stringify(raw, null, 2)}\n`);
  return true;
}
