/**
 * The checkpoint format without the file system: the manifest codec, checking a
 * `weights.bin` against its manifest (SHA-256, size, finite values), and putting the
 * weights into the optimizer the manifest names. Folders on disk (checkpoint.ts) and
 * URLs in a browser (web/pretrained.ts) both come down to these, so a checkpoint is
 * read and checked the same way wherever it comes from.
 */
import tf from '#tfjs';
import t from '#cjs/io-ts';
import { isLeft } from '#cjs/fp-ts-either';
import { PathReporter } from '#cjs/io-ts-path-reporter';
import { firstNonFinite, sha256Hex } from './integrity.js';
import { createLearnedOptimizer, learnedKinds } from './kinds.js';
import type { JsonValue, LearnedOptimizer } from './types.js';

export const CHECKPOINT_FORMAT = 'alphaopt-learned-optimizer';
export const WEIGHTS_FILE = 'weights.bin';

const Json: t.Type<JsonValue> = t.recursion('Json', () =>
  t.union([t.number, t.string, t.boolean, t.null, t.array(Json), t.record(t.string, Json)]),
);

interface Sha256Brand {
  readonly Sha256: unique symbol;
}
export const Sha256 = t.brand(t.string, (s): s is t.Branded<string, Sha256Brand> => /^[0-9a-f]{64}$/.test(s), 'Sha256');
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

/** `file` names where the JSON came from (a path or a URL), for the message. */
export function decodeManifest(raw: unknown, file: string): Manifest {
  const decoded = Manifest.decode(raw);
  if (isLeft(decoded)) {
    // One line per problem, each cut short: a damaged manifest must not print kilobytes of JSON.
    const problems = [...new Set(PathReporter.report(decoded).map((line) => (line.length > 160 ? `${line.slice(0, 160)}…` : line)))];
    throw new CheckpointError(`${file} is not an alphaopt checkpoint manifest: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`);
  }
  return decoded.right;
}

/**
 * Checks `weights.bin`'s bytes against the manifest (its hash when it has one, its size,
 * every value finite) before any tensor is made; the float32 values in manifest order.
 * `where` is the checkpoint's folder or URL.
 */
export async function checkWeights(bytes: Uint8Array, manifest: Manifest, where: string): Promise<Float32Array> {
  const file = `${where}/${WEIGHTS_FILE}`;
  const recorded = manifest.sha256?.[WEIGHTS_FILE];
  if (recorded !== undefined) {
    const actual = await sha256Hex(bytes);
    if (actual !== recorded) {
      throw new CheckpointError(`${file} is damaged or was changed: its SHA-256 is ${actual}, ${where}/manifest.json records ${recorded}; restore the file or meta-train again`);
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

/** Puts checked weights (`checkWeights`) into `optimizer`; kinds, versions and shapes must match. */
export function assignWeights(optimizer: LearnedOptimizer, floats: Float32Array, manifest: Manifest, where: string): void {
  const manifestFile = `${where}/manifest.json`;
  if (manifest.kind !== optimizer.kind) {
    throw new CheckpointError(`${where} holds a '${manifest.kind}' checkpoint, not '${optimizer.kind}'`);
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
 * The optimizer a manifest names, with its checked weights. With `expectedKind`, a
 * checkpoint of another kind is refused with a message naming both.
 */
export async function instantiateCheckpoint(manifest: Manifest, readWeights: () => Promise<Uint8Array>, where: string, expectedKind?: string): Promise<LearnedOptimizer> {
  const manifestFile = `${where}/manifest.json`;
  if (expectedKind !== undefined && manifest.kind !== expectedKind) {
    throw new CheckpointError(`${where} holds a '${manifest.kind}' checkpoint, not '${expectedKind}'`);
  }
  if (!learnedKinds().includes(manifest.kind)) throw new CheckpointError(`${manifestFile}: unknown learned optimizer kind '${manifest.kind}'; known kinds: ${learnedKinds().join(', ')}`);
  const floats = await checkWeights(await readWeights(), manifest, where);
  let optimizer: LearnedOptimizer;
  try {
    optimizer = createLearnedOptimizer(manifest.kind, manifest.hyperParams);
  } catch (error) {
    throw new CheckpointError(`${manifestFile}: its hyperParams do not build a '${manifest.kind}' optimizer: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    assignWeights(optimizer, floats, manifest, where);
  } catch (error) {
    optimizer.dispose();
    throw error;
  }
  return optimizer;
}
