/**
 * A MAML initialisation on disk: `init.json` (what it is for, its size, how it was
 * trained, the SHA-256 of init.bin) and `init.bin` (θ₀ as little-endian float32). Loaded
 * only into a task of the same size, with a matching hash and finite values; anything
 * else is refused with the reason. (Files from before the hash existed load without it.)
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { firstNonFinite, sha256Hex } from '../../learned/integrity.js';
import type { MetaTrainReport } from '../../learned/types.js';

export interface MamlManifest {
  kind: 'maml-initialization';
  task: string;
  dimension: number;
  config: unknown;
  report: MetaTrainReport;
  sha256?: { 'init.bin': string };
}

export const hasMamlCheckpoint = (dir: string): boolean => existsSync(path.join(dir, 'init.json'));

export async function saveMamlInitialization(dir: string, initialization: Float32Array, manifest: Omit<MamlManifest, 'kind' | 'dimension'>): Promise<void> {
  const bad = firstNonFinite(initialization);
  if (bad !== undefined) throw new Error(`not saving ${dir}: the initialisation holds ${bad.value} at index ${bad.index}`);
  await mkdir(dir, { recursive: true });
  const bytes = Buffer.from(initialization.buffer, initialization.byteOffset, initialization.byteLength);
  await writeFile(path.join(dir, 'init.bin'), bytes);
  const full = { kind: 'maml-initialization', dimension: initialization.length, ...manifest, sha256: { 'init.bin': await sha256Hex(bytes) } };
  await writeFile(path.join(dir, 'init.json'), `${JSON.stringify(full, null, 2)}\n`);
}

export async function loadMamlInitialization(dir: string, dimension: number): Promise<Float32Array> {
  let manifest: Partial<MamlManifest>;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, 'init.json'), 'utf8')) as Partial<MamlManifest>;
  } catch (error) {
    throw new Error(`${path.join(dir, 'init.json')}: cannot read a MAML initialisation (${(error as Error).message}); delete the folder to meta-train it again`);
  }
  if (manifest.kind !== 'maml-initialization') throw new Error(`${dir} holds a '${String(manifest.kind)}', not a MAML initialisation`);
  if (manifest.dimension !== dimension) {
    throw new Error(`${dir}: the initialisation has ${String(manifest.dimension)} parameters, the task's network ${dimension} (was it trained for another ways/filters setting?)`);
  }
  const file = path.join(dir, 'init.bin');
  const bytes = await readFile(file).catch((error: Error) => {
    throw new Error(`cannot read ${file}: ${error.message}; delete the folder to meta-train it again`);
  });
  const recorded = manifest.sha256?.['init.bin'];
  const actual = recorded === undefined ? undefined : await sha256Hex(bytes);
  if (actual !== recorded) {
    throw new Error(`${file} is damaged or was changed: its SHA-256 is ${String(actual)}, init.json records ${String(recorded)}; delete the folder to meta-train it again`);
  }
  if (bytes.byteLength !== 4 * dimension) throw new Error(`${file}: ${bytes.byteLength} bytes, expected ${4 * dimension} (${dimension} float32 values)`);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const bad = firstNonFinite(values);
  if (bad !== undefined) throw new Error(`${file}: the initialisation holds ${bad.value} at index ${bad.index}; delete the folder to meta-train it again`);
  return values;
}
