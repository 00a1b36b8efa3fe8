/**
 * CIFAR-10, binary version: each of data_batch_1..5.bin and test_batch.bin holds
 * records of 1 label byte + 3,072 pixel bytes (1,024 red, then green, then blue,
 * each row-major 32×32). Images come out as [n, 32, 32, 3] (HWC), scaled to [0, 1].
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CIFAR10_BATCHES } from './catalog.js';
import { DataFormatError } from './idx.js';
import { locateDataset } from './locate.js';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const RECORD = 1 + 3 * 1024;

export interface ColourImages {
  /** [n, 32, 32, 3], row-major, in [0, 1]. */
  images: Float32Array;
  labels: Uint8Array;
}

export function parseCifar10Batch(bytes: Uint8Array, source: string): ColourImages {
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    throw new DataFormatError(`${source}: ${bytes.length} bytes is not a whole number of CIFAR-10 records (1 label + 3072 pixel bytes each)`);
  }
  const n = bytes.length / RECORD;
  const images = new Float32Array(n * 3072);
  const labels = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const base = r * RECORD;
    const label = bytes[base]!;
    if (label > 9) throw new DataFormatError(`${source}: record ${r} has label ${label}; CIFAR-10 labels are 0–9`);
    labels[r] = label;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) images[r * 3072 + p * 3 + c] = bytes[base + 1 + c * 1024 + p]! / 255;
    }
  }
  return { images, labels };
}

function concat(parts: ColourImages[]): ColourImages {
  const images = new Float32Array(parts.reduce((n, p) => n + p.images.length, 0));
  const labels = new Uint8Array(parts.reduce((n, p) => n + p.labels.length, 0));
  let [i, l] = [0, 0];
  for (const p of parts) {
    images.set(p.images, i);
    labels.set(p.labels, l);
    i += p.images.length;
    l += p.labels.length;
  }
  return { images, labels };
}

export async function loadCifar10(dataDir?: string): Promise<{ train: ColourImages; test: ColourImages }> {
  const dir = path.join(locateDataset('cifar-10', dataDir), 'cifar-10-batches-bin');
  const read = async (file: string) => parseCifar10Batch(new Uint8Array(await readFile(path.join(dir, file))), path.join(dir, file));
  const batches = await Promise.all(CIFAR10_BATCHES.map(read));
  return { train: concat(batches.slice(0, 5)), test: batches[5]! };
}
