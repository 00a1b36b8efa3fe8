/**
 * Checkpoints on disk: a folder with `manifest.json` (kind, version, hyper-parameters,
 * weight names and shapes, the SHA-256 of `weights.bin`; validated with io-ts on load)
 * and `weights.bin` (float32, little-endian, in manifest order). The format and its
 * checks live in manifest.ts, shared with checkpoints fetched over HTTP.
 *
 * Integrity on load: the hash must match, and every meta-parameter must be finite (a
 * file of the right size full of NaN would otherwise load and make training diverge).
 * A manifest without `sha256` was written before hashes existed: it still loads (its
 * values are still checked); `alphaopt checkpoint hash DIR` adds the hash.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as t from 'io-ts';
import { firstNonFinite, sha256Hex } from './integrity.js';
import { CHECKPOINT_FORMAT, CheckpointError, decodeManifest, WEIGHTS_FILE, type Manifest, type Sha256 } from './manifest.js';
import type { LearnedOptimizer } from './types.js';

export { CHECKPOINT_FORMAT, CheckpointError, Manifest, WEIGHTS_FILE } from './manifest.js';

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
    sha256: { [WEIGHTS_FILE]: (await sha256Hex(bytes)) as t.TypeOf<typeof Sha256> },
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
  return decodeManifest(raw, file);
}

/** The bytes of a checkpoint folder's weights.bin; a missing file is a CheckpointError naming it. */
export async function readWeightsFile(dir: string): Promise<Uint8Array> {
  const file = path.join(dir, WEIGHTS_FILE);
  try {
    return await readFile(file);
  } catch (error) {
    throw new CheckpointError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/**
 * Records the SHA-256 of weights.bin in a manifest written before hashes existed, once the
 * checkpoint has passed every other check (`verify` loads it). Returns false when it had one.
 * A hash that disagrees with the file is never replaced.
 */
export async function addWeightsHash(dir: string, verify: (dir: string) => Promise<void>): Promise<boolean> {
  const manifest = await readManifest(dir);
  await verify(dir);
  if (manifest.sha256 !== undefined) return false;
  const file = path.join(dir, 'manifest.json');
  const raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  raw['sha256'] = { [WEIGHTS_FILE]: await sha256Hex(await readWeightsFile(dir)) };
  await writeAtomically(file, `${JSON.stringify(raw, null, 2)}\n`);
  return true;
}
