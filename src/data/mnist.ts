/**
 * MNIST-format datasets (MNIST, Fashion-MNIST, the 10k pool) from a data
 * directory, looked up as locate.ts describes.
 * Layouts understood:
 *   <dir>/<name>/train-images-idx3-ubyte[.gz], train-labels…, t10k-images…, t10k-labels…   (official split)
 *   <dir>/<name>/images-idx3-ubyte[.gz], labels-idx1-ubyte[.gz]                            (one pool, split 80/20)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CATALOG, type DatasetEntry } from './catalog.js';
import { readIdx } from './idx.js';
import { MissingDataError, dataDirectories } from './locate.js';
import { unitFloats } from './unitFloats.js';

export { MissingDataError, dataDirectories } from './locate.js';

export interface ImageDataset {
  name: string;
  /** Pixels scaled to [0, 1], row-major [n, 784]. */
  trainImages: Float32Array;
  trainLabels: Uint8Array;
  testImages: Float32Array;
  testLabels: Uint8Array;
  imageSize: number;
  classes: number;
}

export const MNIST_DATASETS = ['mnist', 'mnist-10k', 'fashion-mnist'] as const;

/** Any folder of MNIST-format files can be named as a dataset; the catalog's own names say where to get them. */
function entryFor(name: string): DatasetEntry {
  return CATALOG[name] ?? { ...CATALOG['mnist']!, name, howToGet: 'MNIST-format IDX files (official 4-file split, or images-idx3-ubyte + labels-idx1-ubyte as one pool)' };
}

function find(dir: string, stem: string): string | undefined {
  for (const candidate of [`${stem}.gz`, stem]) if (existsSync(path.join(dir, candidate))) return path.join(dir, candidate);
  return undefined;
}

const cache = new Map<string, Promise<ImageDataset>>();

export function loadMnistLike(name: string, dataDir?: string): Promise<ImageDataset> {
  const key = `${name}@${dataDir ?? ''}`;
  let loaded = cache.get(key);
  if (loaded === undefined) {
    loaded = load(name, dataDir);
    cache.set(key, loaded);
    loaded.catch(() => cache.delete(key));
  }
  return loaded;
}

async function load(name: string, dataDir?: string): Promise<ImageDataset> {
  const searched = dataDirectories(dataDir).map((d) => path.join(d, name));
  for (const dir of searched) {
    const trainImages = find(dir, 'train-images-idx3-ubyte');
    if (trainImages !== undefined) {
      const files = [trainImages, find(dir, 'train-labels-idx1-ubyte'), find(dir, 't10k-images-idx3-ubyte'), find(dir, 't10k-labels-idx1-ubyte')];
      if (files.some((f) => f === undefined)) throw new MissingDataError(entryFor(name), [dir], entryFor(name).requires.filter((alts) => !alts.some((a) => existsSync(path.join(dir, a)))));
      const [xi, yi, xt, yt] = await Promise.all(files.map((f) => readIdx(f!)));
      return { name, trainImages: unitFloats(xi!.data), trainLabels: yi!.data, testImages: unitFloats(xt!.data), testLabels: yt!.data, imageSize: 784, classes: 10 };
    }
    const pool = find(dir, 'images-idx3-ubyte');
    const poolLabels = find(dir, 'labels-idx1-ubyte');
    if (pool !== undefined && poolLabels !== undefined) {
      const [x, y] = await Promise.all([readIdx(pool), readIdx(poolLabels)]);
      const n = x.shape[0]!;
      const split = Math.floor(n * 0.8);
      const pixels = unitFloats(x.data);
      return {
        name,
        trainImages: pixels.subarray(0, split * 784),
        trainLabels: y.data.subarray(0, split),
        testImages: pixels.subarray(split * 784),
        testLabels: y.data.subarray(split),
        imageSize: 784,
        classes: 10,
      };
    }
  }
  throw new MissingDataError(entryFor(name), searched, entryFor(name).requires);
}
