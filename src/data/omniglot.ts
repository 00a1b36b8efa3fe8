/**
 * Omniglot (Lake et al.): `images_background` (30 alphabets) and
 * `images_evaluation` (20), each alphabet/character/drawing.png (105×105), read
 * from the official zip files directly or from the unpacked folder trees. Drawings
 * come out as ink = 1 on background = 0, area-resized (28×28 by default).
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { PNG } from '#cjs/pngjs';
import yauzl from '#cjs/yauzl';
import { DataFormatError } from './idx.js';
import { locateDataset } from './locate.js';
import { resizeArea } from './resize.js';

export type OmniglotSplit = 'background' | 'evaluation';

export interface OmniglotCharacter {
  alphabet: string;
  character: string;
  /** One [size × size] image per drawing, in [0, 1]. */
  drawings: Float32Array[];
}

/** Decodes one PNG into ink intensities (1 − luminance), resized to size × size. */
export function decodeDrawing(png: Uint8Array, source: string, size: number): Float32Array {
  let image: PNG;
  try {
    image = PNG.sync.read(Buffer.from(png));
  } catch (error) {
    throw new DataFormatError(`${source}: not a readable PNG (${(error as Error).message})`);
  }
  const { width, height, data } = image;
  const ink = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) ink[i] = 1 - (data[4 * i]! + data[4 * i + 1]! + data[4 * i + 2]!) / (3 * 255);
  return width === size && height === size ? ink : resizeArea(ink, width, height, size, size);
}

/** Collects (path inside the split, bytes) for every PNG of a zip. */
function readZipPngs(file: string): Promise<Array<[string, Uint8Array]>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error || zip === undefined) return reject(new DataFormatError(`${file}: not a readable zip (${error?.message ?? 'unknown error'})`));
      const out: Array<[string, Uint8Array]> = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.toLowerCase().endsWith('.png')) return zip.readEntry();
        zip.openReadStream(entry, (err, stream) => {
          if (err || stream === undefined) return reject(err);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.push([entry.fileName, new Uint8Array(Buffer.concat(chunks))]);
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

async function readTreePngs(root: string): Promise<Array<[string, Uint8Array]>> {
  const out: Array<[string, Uint8Array]> = [];
  const entries = await readdir(root, { recursive: true });
  for (const rel of entries.sort()) {
    if (rel.toLowerCase().endsWith('.png')) out.push([rel.split(path.sep).join('/'), new Uint8Array(await readFile(path.join(root, rel)))]);
  }
  return out;
}

/** Groups drawings by alphabet/character from paths ending in alphabet/character/file.png. */
function group(pngs: Array<[string, Uint8Array]>, source: string, size: number): OmniglotCharacter[] {
  const byCharacter = new Map<string, OmniglotCharacter>();
  for (const [name, bytes] of pngs.sort((a, b) => a[0].localeCompare(b[0]))) {
    const parts = name.split('/').filter((p) => p !== '');
    if (parts.length < 3) throw new DataFormatError(`${source}: ${name} is not alphabet/character/drawing.png`);
    const [alphabet, character] = parts.slice(-3, -1) as [string, string];
    const key = `${alphabet}/${character}`;
    let entry = byCharacter.get(key);
    if (entry === undefined) byCharacter.set(key, (entry = { alphabet, character, drawings: [] }));
    entry.drawings.push(decodeDrawing(bytes, `${source}:${name}`, size));
  }
  if (byCharacter.size === 0) throw new DataFormatError(`${source}: no PNG drawings found`);
  return [...byCharacter.values()];
}

/**
 * Decoded splits by source and size: a suite's Omniglot tasks (5-way, 20-way, from the
 * standard or a MAML start) share one decode per process — ~32,000 PNGs take about a
 * minute — instead of one per task. Callers only read the drawings.
 */
const decoded = new Map<string, Promise<OmniglotCharacter[]>>();

export function loadOmniglot(split: OmniglotSplit, options: { dataDir?: string; size?: number } = {}): Promise<OmniglotCharacter[]> {
  const size = options.size ?? 28;
  const dir = locateDataset('omniglot', options.dataDir);
  const stem = `images_${split}`;
  const zip = path.join(dir, `${stem}.zip`);
  const source = existsSync(zip) ? zip : path.join(dir, stem);
  const key = `${source}|${size}`;
  let entry = decoded.get(key);
  if (entry === undefined) {
    entry = (async () => group(source === zip ? await readZipPngs(zip) : await readTreePngs(source), source, size))();
    // A failed read is not cached: the next call (after the files are fixed) tries again.
    entry.catch(() => decoded.delete(key));
    decoded.set(key, entry);
  }
  return entry;
}

/** Forgets the decoded splits (tests that rewrite a fixture in place; a long process that is done with Omniglot). */
export function clearOmniglotCache(): void {
  decoded.clear();
}
