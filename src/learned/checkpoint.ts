/**
 * Checkpoints: `manifest.json` (kind, version, hyper-parameters, weight names and
 * shapes; validated with io-ts on load) and `weights.bin` (float32, little-endian,
 * in manifest order).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CHECKPOINT_FORMAT, CheckpointError, assignWeights, decodeManifest, type Manifest } from './manifest.js';
import type { LearnedOptimizer } from './types.js';

export { CHECKPOINT_FORMAT, CheckpointError, Manifest } from './manifest.js';

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
  return decodeManifest(raw, file);
}

/** Loads weights into an optimizer built from the manifest's hyper-parameters; kinds and shapes must match. */
export async function loadWeightsInto(optimizer: LearnedOptimizer, dir: string, manifest: Manifest): Promise<void> {
  assignWeights(optimizer, await readFile(path.join(dir, 'weights.bin')), manifest, dir);
}
