/**
 * A MAML initialisation on disk: `init.json` (what it is for, its size, how it was
 * trained) and `init.bin` (θ₀ as little-endian float32). Loaded only into a task of
 * the same size; anything else is refused with the reason.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MetaTrainReport } from '../learned/types.js';

export interface MamlManifest {
  kind: 'maml-initialization';
  task: string;
  dimension: number;
  config: unknown;
  report: MetaTrainReport;
}

export const hasMamlCheckpoint = (dir: string): boolean => existsSync(path.join(dir, 'init.json'));

export async function saveMamlInitialization(dir: string, initialization: Float32Array, manifest: Omit<MamlManifest, 'kind' | 'dimension'>): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'init.bin'), Buffer.from(initialization.buffer, initialization.byteOffset, initialization.byteLength));
  await writeFile(path.join(dir, 'init.json'), `${JSON.stringify({ kind: 'maml-initialization', dimension: initialization.length, ...manifest }, null, 2)}\n`);
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
  const bytes = await readFile(path.join(dir, 'init.bin'));
  if (bytes.byteLength !== 4 * dimension) throw new Error(`${path.join(dir, 'init.bin')}: ${bytes.byteLength} bytes, expected ${4 * dimension} (${dimension} float32 values)`);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
