/**
 * MNIST-format datasets from a data directory. Looked up in `--data-dir`, then
 * $ALPHAOPT_DATA, then ../shared/datasets (the workplace copy beside this repo).
 * Layouts understood:
 *   <dir>/<name>/train-images-idx3-ubyte[.gz], train-labels…, t10k-images…, t10k-labels…   (official split)
 *   <dir>/<name>/images-idx3-ubyte[.gz], labels-idx1-ubyte[.gz]                            (one pool, split 80/20)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readIdx } from './idx.js';

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

export class MissingDataError extends Error {
  constructor(name: string, searched: string[]) {
    super(
      `dataset '${name}' not found; looked in ${searched.join(', ')}. Put the IDX files (train-images-idx3-ubyte.gz, ` +
        `train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) in <data dir>/${name}/ ` +
        `and pass --data-dir or set ALPHAOPT_DATA.`,
    );
    this.name = 'MissingDataError';
  }
}

export function dataDirectories(explicit?: string): string[] {
  return [explicit, process.env['ALPHAOPT_DATA'], path.resolve('..', 'shared', 'datasets')].filter((d): d is string => d !== undefined && d !== '');
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

const toFloat = (bytes: Uint8Array) => Float32Array.from(bytes, (b) => b / 255);

async function load(name: string, dataDir?: string): Promise<ImageDataset> {
  const searched = dataDirectories(dataDir).map((d) => path.join(d, name));
  for (const dir of searched) {
    const trainImages = find(dir, 'train-images-idx3-ubyte');
    if (trainImages !== undefined) {
      const files = [trainImages, find(dir, 'train-labels-idx1-ubyte'), find(dir, 't10k-images-idx3-ubyte'), find(dir, 't10k-labels-idx1-ubyte')];
      if (files.some((f) => f === undefined)) throw new MissingDataError(name, [dir]);
      const [xi, yi, xt, yt] = await Promise.all(files.map((f) => readIdx(f!)));
      return { name, trainImages: toFloat(xi!.data), trainLabels: yi!.data, testImages: toFloat(xt!.data), testLabels: yt!.data, imageSize: 784, classes: 10 };
    }
    const pool = find(dir, 'images-idx3-ubyte');
    const poolLabels = find(dir, 'labels-idx1-ubyte');
    if (pool !== undefined && poolLabels !== undefined) {
      const [x, y] = await Promise.all([readIdx(pool), readIdx(poolLabels)]);
      const n = x.shape[0]!;
      const split = Math.floor(n * 0.8);
      const pixels = toFloat(x.data);
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
  throw new MissingDataError(name, searched);
}
