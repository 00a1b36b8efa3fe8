/**
 * SYNTHETIC stand-ins written in the exact standard formats (Omniglot zips of
 * 105×105 PNGs, CIFAR-10 binary batches, an MNIST IDX pool), so that suites for
 * datasets this machine lacks still run end to end in tests. Never results.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import yazl from 'yazl';
import { CIFAR10_BATCHES } from '../../src/data/catalog.js';
import { rng } from '../../src/random.js';

/** Character c of a synthetic alphabet: an ink bar whose position and orientation depend on c, jittered per drawing. */
function syntheticDrawing(character: number, drawing: number): Buffer {
  const png = new PNG({ width: 105, height: 105 });
  const random = rng(character * 1000 + drawing);
  const [ox, oy] = [Math.floor(random() * 6), Math.floor(random() * 6)];
  const vertical = character % 2 === 0;
  const at = 15 + ((character * 23) % 60);
  for (let y = 0; y < 105; y++) {
    for (let x = 0; x < 105; x++) {
      const [u, v] = vertical ? [x - ox, y - oy] : [y - oy, x - ox];
      const ink = u >= at && u < at + 15 && v >= 10 && v < 95;
      const value = ink ? 0 : 255;
      png.data.set([value, value, value, 255], 4 * (y * 105 + x));
    }
  }
  return PNG.sync.write(png);
}

export async function writeSyntheticOmniglot(root: string, perAlphabet: { background: number; evaluation: number } = { background: 3, evaluation: 3 }): Promise<void> {
  await mkdir(path.join(root, 'omniglot'), { recursive: true });
  let character = 0;
  for (const [split, alphabets] of [['background', ['Synthetic_A', 'Synthetic_B']], ['evaluation', ['Synthetic_C', 'Synthetic_D']]] as const) {
    const zip = new yazl.ZipFile();
    for (const alphabet of alphabets) {
      for (let c = 1; c <= perAlphabet[split]; c++, character++) {
        for (let d = 1; d <= 20; d++) zip.addBuffer(syntheticDrawing(character, d), `images_${split}/${alphabet}/character${String(c).padStart(2, '0')}/${character}_${d}.png`);
      }
    }
    zip.end();
    await new Promise<void>((resolve) => zip.outputStream.pipe(createWriteStream(path.join(root, 'omniglot', `images_${split}.zip`))).on('close', () => resolve()));
  }
}


/** A CIFAR-10 binary tree with `perBatch` records per batch: class k is a colour-k-tinted image with noise. */
export async function writeSyntheticCifar10(root: string, perBatch = 4): Promise<void> {
  const dir = path.join(root, 'cifar-10', 'cifar-10-batches-bin');
  await mkdir(dir, { recursive: true });
  const random = rng(42);
  for (const file of CIFAR10_BATCHES) {
    const bytes = new Uint8Array(perBatch * 3073);
    for (let r = 0; r < perBatch; r++) {
      const label = Math.floor(random() * 10);
      bytes[r * 3073] = label;
      for (let p = 0; p < 3072; p++) bytes[r * 3073 + 1 + p] = Math.min(255, 20 * label + Math.floor(random() * 50));
    }
    await writeFile(path.join(dir, file), bytes);
  }
}

/** An IDX file (MNIST's format) of unsigned bytes with this shape. */
export function idx(shape: number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * shape.length);
  const view = new DataView(header.buffer);
  header[2] = 0x08;
  header[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return new Uint8Array([...header, ...data]);
}

/** An MNIST-format pool (images-idx3-ubyte.gz + labels-idx1-ubyte.gz) named `name`: digit k is a bar at row 2k. */
export async function writeSyntheticMnistPool(root: string, name: string, n = 50): Promise<void> {
  const images = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 10;
    for (let x = 0; x < 28; x++) images[i * 784 + (2 * (i % 10) + 3) * 28 + x] = 255;
  }
  await mkdir(path.join(root, name), { recursive: true });
  await writeFile(path.join(root, name, 'images-idx3-ubyte.gz'), gzipSync(idx([n, 28, 28], images)));
  await writeFile(path.join(root, name, 'labels-idx1-ubyte.gz'), gzipSync(idx([n], labels)));
}

/** An MNIST-format pool named `name` of hashed pixels and labels k·7 mod 10: no pattern to learn, every pixel value used. */
export async function writeNoisyMnistPool(root: string, name: string, n: number): Promise<void> {
  const pixels = Uint8Array.from({ length: n * 784 }, (_, i) => (i * 2654435761) % 251);
  await mkdir(path.join(root, name), { recursive: true });
  await writeFile(path.join(root, name, 'images-idx3-ubyte.gz'), gzipSync(idx([n, 28, 28], pixels)));
  await writeFile(path.join(root, name, 'labels-idx1-ubyte.gz'), gzipSync(idx([n], Uint8Array.from({ length: n }, (_, i) => (i * 7) % 10))));
}
