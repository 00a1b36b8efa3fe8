/**
 * Checkpoints: `manifest.json` (kind, version, hyper-parameters, weight names and
 * shapes; validated with io-ts on load) and `weights.bin` (float32, little-endian,
 * in manifest order).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import type { JsonValue, LearnedOptimizer } from './types.js';

export const CHECKPOINT_FORMAT = 'alphaopt-learned-optimizer';

const Json: t.Type<JsonValue> = t.recursion('Json', () =>
  t.union([t.number, t.string, t.boolean, t.null, t.array(Json), t.record(t.string, Json)]),
);

export const Manifest = t.type({
  format: t.literal(CHECKPOINT_FORMAT),
  kind: t.string,
  version: t.number,
  hyperParams: t.record(t.string, Json),
  weights: t.array(t.type({ name: t.string, shape: t.array(t.number), dtype: t.literal('float32') })),
  savedAt: t.string,
});
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
  };
  await writeAtomically(path.join(dir, 'weights.bin'), bytes);
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
  if (isLeft(decoded)) throw new CheckpointError(`${file} is not an alphaopt checkpoint manifest: ${PathReporter.report(decoded).join('; ')}`);
  return decoded.right;
}

/** Loads weights into an optimizer built from the manifest's hyper-parameters; kinds and shapes must match. */
export async function loadWeightsInto(optimizer: LearnedOptimizer, dir: string, manifest: Manifest): Promise<void> {
  if (manifest.kind !== optimizer.kind) {
    throw new CheckpointError(`${dir} holds a '${manifest.kind}' checkpoint, not '${optimizer.kind}'`);
  }
  if (manifest.version !== optimizer.version) {
    throw new CheckpointError(`${dir} is '${manifest.kind}' version ${manifest.version}; this build reads version ${optimizer.version}`);
  }
  const bytes = await readFile(path.join(dir, 'weights.bin'));
  const expectedBytes = manifest.weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (bytes.byteLength !== expectedBytes) {
    throw new CheckpointError(`${dir}/weights.bin has ${bytes.byteLength} bytes; the manifest describes ${expectedBytes}`);
  }
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let offset = 0;
  for (const w of manifest.weights) {
    const target = optimizer.metaParams.get(w.name);
    if (target === undefined) throw new CheckpointError(`${dir}: weight '${w.name}' does not exist in a '${optimizer.kind}' optimizer`);
    if (!tf.util.arraysEqual(target.shape, w.shape)) {
      throw new CheckpointError(`${dir}: weight '${w.name}' has shape [${w.shape}] but this '${optimizer.kind}' optimizer needs [${target.shape}]`);
    }
    const size = w.shape.reduce((a, b) => a * b, 1);
    tf.tidy(() => target.assign(tf.tensor(floats.subarray(offset, offset + size), w.shape)));
    offset += size;
  }
  const missing = [...optimizer.metaParams.keys()].filter((name) => !manifest.weights.some((w) => w.name === name));
  if (missing.length > 0) throw new CheckpointError(`${dir}: no values for weights ${missing.join(', ')}`);
}
