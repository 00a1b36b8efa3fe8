/**
 * The checkpoint format without the file system: the manifest codec, and putting
 * a manifest's weights (the bytes of `weights.bin`) into the optimizer it names.
 * Folders on disk (checkpoint.ts) and URLs in a browser (web/pretrained.ts) both
 * come down to these, so a checkpoint reads the same wherever it comes from.
 */
import * as tf from '@tensorflow/tfjs';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { createLearnedOptimizer } from './kinds.js';
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

/** `file` names where the JSON came from (a path or a URL), for the message. */
export function decodeManifest(raw: unknown, file: string): Manifest {
  const decoded = Manifest.decode(raw);
  if (isLeft(decoded)) throw new CheckpointError(`${file} is not an alphaopt checkpoint manifest: ${PathReporter.report(decoded).join('; ')}`);
  return decoded.right;
}

/** Puts `weights.bin`'s bytes into `optimizer`; kinds, versions and shapes must match. `where` is the folder or URL. */
export function assignWeights(optimizer: LearnedOptimizer, bytes: Uint8Array, manifest: Manifest, where: string): void {
  if (manifest.kind !== optimizer.kind) {
    throw new CheckpointError(`${where} holds a '${manifest.kind}' checkpoint, not '${optimizer.kind}'`);
  }
  if (manifest.version !== optimizer.version) {
    throw new CheckpointError(`${where} is '${manifest.kind}' version ${manifest.version}; this build reads version ${optimizer.version}`);
  }
  const expectedBytes = manifest.weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (bytes.byteLength !== expectedBytes) {
    throw new CheckpointError(`${where}/weights.bin has ${bytes.byteLength} bytes; the manifest describes ${expectedBytes}`);
  }
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let offset = 0;
  for (const w of manifest.weights) {
    const target = optimizer.metaParams.get(w.name);
    if (target === undefined) throw new CheckpointError(`${where}: weight '${w.name}' does not exist in a '${optimizer.kind}' optimizer`);
    if (!tf.util.arraysEqual(target.shape, w.shape)) {
      throw new CheckpointError(`${where}: weight '${w.name}' has shape [${w.shape}] but this '${optimizer.kind}' optimizer needs [${target.shape}]`);
    }
    const size = w.shape.reduce((a, b) => a * b, 1);
    tf.tidy(() => target.assign(tf.tensor(floats.subarray(offset, offset + size), w.shape)));
    offset += size;
  }
  const missing = [...optimizer.metaParams.keys()].filter((name) => !manifest.weights.some((w) => w.name === name));
  if (missing.length > 0) throw new CheckpointError(`${where}: no values for weights ${missing.join(', ')}`);
}

/**
 * The optimizer a manifest names, with its weights. With `expectedKind`, a
 * checkpoint of another kind is refused with a message naming both.
 */
export async function instantiateCheckpoint(manifest: Manifest, readWeights: () => Promise<Uint8Array>, where: string, expectedKind?: string): Promise<LearnedOptimizer> {
  if (expectedKind !== undefined && manifest.kind !== expectedKind) {
    throw new CheckpointError(`${where} holds a '${manifest.kind}' checkpoint, not '${expectedKind}'`);
  }
  const bytes = await readWeights();
  const optimizer = createLearnedOptimizer(manifest.kind, manifest.hyperParams);
  try {
    assignWeights(optimizer, bytes, manifest, where);
  } catch (error) {
    optimizer.dispose();
    throw error;
  }
  return optimizer;
}
