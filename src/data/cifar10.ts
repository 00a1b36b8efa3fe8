/**
 * CIFAR-10, binary version: each of data_batch_1..5.bin and test_batch.bin holds
 * records of 1 label byte + 3,072 pixel bytes (1,024 red, then green, then blue,
 * each row-major 32×32).
 *
 * The files are decoded once into a byte cache in HWC order ([n, 32, 32, 3],
 * 0–255: 150 MB for the training split, a quarter of float32's) kept per folder
 * for the life of the process, so every task that reads the same copy shares it;
 * batches are scaled, normalised and augmented from it as they are assembled
 * (data/imageBatch.ts). `loadCifar10` keeps the float form ([0, 1]) for users.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CIFAR10_BATCHES } from './catalog.js';
import { DataFormatError } from './idx.js';
import { locateDataset } from './locate.js';
import { unitFloats } from './unitFloats.js';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const RECORD = 1 + 3 * 1024;

export interface ColourImages {
  /** [n, 32, 32, 3], row-major, in [0, 1]. */
  images: Float32Array;
  labels: Uint8Array;
}

/** The decoded cache: [n, 32, 32, 3] bytes, row-major (HWC), as stored (0–255). */
export interface ColourBytes {
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** Decodes one batch file's bytes (planar CHW records) into HWC bytes. */
export function decodeCifar10Batch(bytes: Uint8Array, source: string): ColourBytes {
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    throw new DataFormatError(`${source}: ${bytes.length} bytes is not a whole number of CIFAR-10 records (1 label + 3072 pixel bytes each)`);
  }
  const n = bytes.length / RECORD;
  const pixels = new Uint8Array(n * 3072);
  const labels = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const base = r * RECORD;
    const label = bytes[base]!;
    if (label > 9) throw new DataFormatError(`${source}: record ${r} has label ${label}; CIFAR-10 labels are 0–9`);
    labels[r] = label;
    const out = r * 3072;
    for (let c = 0; c < 3; c++) {
      const plane = base + 1 + c * 1024;
      for (let p = 0; p < 1024; p++) pixels[out + p * 3 + c] = bytes[plane + p]!;
    }
  }
  return { pixels, labels };
}

/** One batch file as floats in [0, 1] (HWC). */
export function parseCifar10Batch(bytes: Uint8Array, source: string): ColourImages {
  const { pixels, labels } = decodeCifar10Batch(bytes, source);
  return { images: unitFloats(pixels), labels };
}

function concat(parts: ColourBytes[]): ColourBytes {
  const pixels = new Uint8Array(parts.reduce((n, p) => n + p.pixels.length, 0));
  const labels = new Uint8Array(parts.reduce((n, p) => n + p.labels.length, 0));
  let [i, l] = [0, 0];
  for (const p of parts) {
    pixels.set(p.pixels, i);
    labels.set(p.labels, l);
    i += p.pixels.length;
    l += p.labels.length;
  }
  return { pixels, labels };
}

/** Decoded copies by folder: a suite's CIFAR tasks (and their seeds' groups) decode the files once. */
const decoded = new Map<string, Promise<{ train: ColourBytes; test: ColourBytes }>>();

/** The training (data_batch_1..5) and test splits as the byte cache, decoded on first use per folder. */
export function loadCifar10Bytes(dataDir?: string): Promise<{ train: ColourBytes; test: ColourBytes }> {
  const dir = path.join(locateDataset('cifar-10', dataDir), 'cifar-10-batches-bin');
  let entry = decoded.get(dir);
  if (entry === undefined) {
    const read = async (file: string) => decodeCifar10Batch(new Uint8Array(await readFile(path.join(dir, file))), path.join(dir, file));
    entry = Promise.all(CIFAR10_BATCHES.map(read)).then((batches) => ({ train: concat(batches.slice(0, 5)), test: batches[5]! }));
    // A failed read is not cached: the next call (after the files are fixed) tries again.
    entry.catch(() => decoded.delete(dir));
    decoded.set(dir, entry);
  }
  return entry;
}

export async function loadCifar10(dataDir?: string): Promise<{ train: ColourImages; test: ColourImages }> {
  const { train, test } = await loadCifar10Bytes(dataDir);
  const float = (b: ColourBytes): ColourImages => ({ images: unitFloats(b.pixels), labels: b.labels });
  return { train: float(train), test: float(test) };
}
