/**
 * Dataset readers and downloads on fixtures the tests write in the standard
 * formats: CIFAR-10 binary batches (and their tar.gz), Omniglot PNG trees and
 * zips, and MD5-verified downloads from a local HTTP server (a corrupted file is
 * rejected and not cached; an unreachable server gives the list of missing files).
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import * as tar from 'tar';
import yazl from 'yazl';
import { CATALOG, CIFAR10_BATCHES, type DatasetEntry } from '../src/data/catalog.js';
import { loadCifar10, parseCifar10Batch } from '../src/data/cifar10.js';
import { ChecksumError, downloadVerified, fetchDataset } from '../src/data/download.js';
import { DataFormatError } from '../src/data/idx.js';
import { MissingDataError, locateDataset } from '../src/data/locate.js';
import { clearOmniglotCache, loadOmniglot } from '../src/data/omniglot.js';
import { resizeArea } from '../src/data/resize.js';
import { unitFloats } from '../src/data/unitFloats.js';

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

/** One CIFAR-10 record: label, then pixel value (r, g, b) = (label, 100 + p mod 100, 200) at pixel p. */
function cifarRecords(labels: number[]): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((label, r) => {
    out[r * 3073] = label;
    for (let p = 0; p < 1024; p++) {
      out[r * 3073 + 1 + p] = label;
      out[r * 3073 + 1 + 1024 + p] = 100 + (p % 100);
      out[r * 3073 + 1 + 2048 + p] = 200;
    }
  });
  return out;
}

async function cifarTree(root: string): Promise<void> {
  const dir = path.join(root, 'cifar-10', 'cifar-10-batches-bin');
  await mkdir(dir, { recursive: true });
  for (const [i, file] of CIFAR10_BATCHES.entries()) await writeFile(path.join(dir, file), cifarRecords([i, (i + 1) % 10, 9]));
}

test('CIFAR-10 binary batches parse into HWC images in [0, 1]; malformed files are named', async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-cifar-'));
  await cifarTree(root);
  const { train, test: testSet } = await loadCifar10(root);
  t.is(train.labels.length, 15);
  t.deepEqual([...testSet.labels], [5, 6, 9]);
  // Record 0 of batch 1 has label 0; pixel 37 (row 1, column 5): r = 0, g = 137, b = 200.
  const at = (p: number, c: number) => train.images[p * 3 + c]!;
  t.is(at(37, 0), 0);
  t.true(Math.abs(at(37, 1) - 137 / 255) < 1e-6);
  t.true(Math.abs(at(37, 2) - 200 / 255) < 1e-6);
  t.throws(() => parseCifar10Batch(new Uint8Array(3000), 'short.bin'), { instanceOf: DataFormatError, message: /short\.bin: 3000 bytes is not a whole number of CIFAR-10 records/ });
  t.throws(() => parseCifar10Batch(cifarRecords([12]), 'bad.bin'), { message: /bad\.bin: record 0 has label 12/ });
  const empty = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-empty-'));
  const error = t.throws(() => locateDataset('cifar-10', empty), { instanceOf: MissingDataError });
  t.regex(error!.message, /cifar-10-batches-bin\/data_batch_1\.bin; .*test_batch\.bin\. Put them in <data dir>\/cifar-10\/ .*cs\.toronto\.edu/);
});

/** A 105×105 drawing: white paper with a black square of ink at rows/columns [31, 61). */
function drawing(): Buffer {
  const png = new PNG({ width: 105, height: 105 });
  for (let y = 0; y < 105; y++) {
    for (let x = 0; x < 105; x++) {
      const v = x >= 31 && x < 61 && y >= 31 && y < 61 ? 0 : 255;
      png.data.set([v, v, v, 255], 4 * (y * 105 + x));
    }
  }
  return PNG.sync.write(png);
}

test('pixel bytes become the same float32 values b / 255 as Float32Array.from did, for every byte value', (t) => {
  const bytes = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) % 256);
  const floats = unitFloats(bytes);
  t.true(floats instanceof Float32Array);
  t.deepEqual(Array.from(floats), Array.from(Float32Array.from(bytes, (b) => b / 255)));
  t.is(floats[bytes.indexOf(255)], 1);
  t.is(floats[bytes.indexOf(0)], 0);
});

test('Omniglot drawings load from the folder tree and from the zip, grouped by character, ink = 1, resized to 28×28', async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-omniglot-'));
  const png = drawing();
  const files = ['Alpha/character01/0001_01.png', 'Alpha/character01/0001_02.png', 'Alpha/character02/0002_01.png', 'Beta/character01/0101_01.png'];
  for (const f of files) {
    await mkdir(path.join(root, 'omniglot', 'images_background', path.dirname(f)), { recursive: true });
    await writeFile(path.join(root, 'omniglot', 'images_background', f), png);
  }
  const zip = new yazl.ZipFile();
  for (const f of files) zip.addBuffer(png, `images_evaluation/${f}`);
  zip.end();
  await new Promise<void>((resolve) => zip.outputStream.pipe(createWriteStream(path.join(root, 'omniglot', 'images_evaluation.zip'))).on('close', () => resolve()));

  for (const split of ['background', 'evaluation'] as const) {
    const characters = await loadOmniglot(split, { dataDir: root });
    t.deepEqual(characters.map((c) => `${c.alphabet}/${c.character}:${c.drawings.length}`), ['Alpha/character01:2', 'Alpha/character02:1', 'Beta/character01:1'], split);
    const image = characters[0]!.drawings[0]!;
    t.is(image.length, 28 * 28);
    // Output pixel k covers input [3.75k, 3.75k + 3.75): (12, 12) is all ink, (2, 2) all paper, (8, 8) covers [30, 33.75)² of which [31, 33.75)² is ink.
    t.true(Math.abs(image[12 * 28 + 12]! - 1) < 1e-5 && Math.abs(image[2 * 28 + 2]!) < 1e-5, split);
    t.true(Math.abs(image[8 * 28 + 8]! - (2.75 / 3.75) ** 2) < 1e-5, split);
  }
  // Area resizing preserves the mean.
  const ramp = Float32Array.from({ length: 105 * 105 }, (_, i) => (i % 105) / 104);
  const small = resizeArea(ramp, 105, 105, 28, 28);
  t.true(Math.abs(small.reduce((a, b) => a + b, 0) / small.length - ramp.reduce((a, b) => a + b, 0) / ramp.length) < 1e-4);
  // Decoded once per process: a second load (another task of the suite) gets the same drawings without reading the files.
  const before = await loadOmniglot('background', { dataDir: root });
  await writeFile(path.join(root, 'omniglot', 'images_background', 'Alpha', 'character01', '0001_01.png'), 'not a png');
  const again = await loadOmniglot('background', { dataDir: root });
  t.is(again, before, 'the second load is the cached decode');
  t.is(again[0]!.drawings[0], before[0]!.drawings[0]);
  clearOmniglotCache();
  await t.throwsAsync(loadOmniglot('background', { dataDir: root }), { instanceOf: DataFormatError, message: /0001_01\.png: not a readable PNG/ });
  // A failed decode is not cached: once the file is fixed, the split loads.
  await writeFile(path.join(root, 'omniglot', 'images_background', 'Alpha', 'character01', '0001_01.png'), png);
  t.is((await loadOmniglot('background', { dataDir: root })).length, 3);
});

/** A local HTTP server: path → bytes; counts requests. */
async function serve(files: Record<string, Uint8Array>): Promise<{ base: string; hits: Map<string, number>; close: () => Promise<void> }> {
  const hits = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const url = request.url ?? '';
    hits.set(url, (hits.get(url) ?? 0) + 1);
    const body = files[url];
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-length': body.length }).end(Buffer.from(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('downloads are MD5-verified: a good file is cached once, a corrupted one is deleted, an unreachable server lists what is missing', async (t) => {
  const good = new Uint8Array(Array.from({ length: 5000 }, (_, i) => i % 251));
  const corrupted = good.slice();
  corrupted[100] = 7;
  const server = await serve({ '/good/a.gz': good, '/bad/a.gz': corrupted });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-dl-'));
  try {
    await downloadVerified(`${server.base}/good/a.gz`, path.join(dir, 'x', 'a.gz'), md5(good), { progress: false });
    t.deepEqual(new Uint8Array(await readFile(path.join(dir, 'x', 'a.gz'))), good);
    await t.throwsAsync(downloadVerified(`${server.base}/bad/a.gz`, path.join(dir, 'y', 'a.gz'), md5(good), { progress: false }), { instanceOf: ChecksumError, message: /does not match the published/ });
    t.deepEqual(await readdir(path.join(dir, 'y')), [], 'nothing of the corrupted download is left, not even a partial file');

    const entry: DatasetEntry = { name: 'tiny', description: 'fixture', requires: [['a.gz', 'a']], remote: [{ file: 'a.gz', urls: ['http://unused.invalid/a.gz'], md5: md5(good) }], howToGet: 'the fixture' };
    const got = await fetchDataset(entry, { dataDir: dir, mirror: `${server.base}/good`, progress: false });
    t.is(got, path.join(dir, 'tiny'));
    await fetchDataset(entry, { dataDir: dir, mirror: `${server.base}/good`, progress: false });
    t.is(server.hits.get('/good/a.gz'), 2, 'the second fetch found the cached copy (one hit was the direct download above)');

    const rejected = await t.throwsAsync(fetchDataset(entry, { dataDir: path.join(dir, 'other'), mirror: `${server.base}/bad`, progress: false }), { instanceOf: MissingDataError });
    t.regex(rejected!.message, /Missing: a\.gz or a\. .*Download failed: .*does not match/);
    t.false(existsSync(path.join(dir, 'other', 'tiny', 'a.gz')));

    const offline = await t.throwsAsync(fetchDataset(entry, { dataDir: path.join(dir, 'offline'), mirror: 'http://127.0.0.1:9', progress: false }), { instanceOf: MissingDataError });
    t.regex(offline!.message, /dataset 'tiny' not found; .*Missing: a\.gz or a\. Put them in <data dir>\/tiny\/ .*Download failed: http:\/\/127\.0\.0\.1:9\/a\.gz: fetch failed/);
  } finally {
    await server.close();
  }
});

test('CIFAR-10 is fetched as the binary tar.gz, checked, and unpacked (batches only) into a loadable copy', async (t) => {
  const staging = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-tar-'));
  await cifarTree(staging);
  await writeFile(path.join(staging, 'cifar-10', 'cifar-10-batches-bin', 'readme.html'), 'not a batch');
  const archive = path.join(staging, 'cifar-10-binary.tar.gz');
  await tar.c({ gzip: true, file: archive, cwd: path.join(staging, 'cifar-10') }, ['cifar-10-batches-bin']);
  const bytes = new Uint8Array(await readFile(archive));
  const server = await serve({ '/cifar-10-binary.tar.gz': bytes });
  try {
    const entry: DatasetEntry = { ...CATALOG['cifar-10']!, remote: [{ ...CATALOG['cifar-10']!.remote![0]!, md5: md5(bytes) }] };
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-cifar-dl-'));
    await fetchDataset(entry, { dataDir, mirror: server.base, progress: false });
    t.false(existsSync(path.join(dataDir, 'cifar-10', 'cifar-10-batches-bin', 'readme.html')), 'only the .bin batches are extracted');
    const { train } = await loadCifar10(dataDir);
    t.is(train.labels.length, 15);
  } finally {
    await server.close();
  }
});

test('a local Omniglot copy is accepted as it is: re-packed zips (directory entries, other MD5s than the official ones) load without a download', async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-omniglot-local-'));
  await mkdir(path.join(root, 'omniglot'), { recursive: true });
  const png = drawing();
  for (const split of ['background', 'evaluation']) {
    // The layout of the official zips: images_<split>/<alphabet>/characterNN/<id>_<drawer>.png, with folder entries.
    const zip = new yazl.ZipFile();
    for (const folder of [`images_${split}/`, `images_${split}/Alphabet_of_the_Magi/`, `images_${split}/Alphabet_of_the_Magi/character01/`]) zip.addEmptyDirectory(folder);
    for (const drawer of ['01', '02']) zip.addBuffer(png, `images_${split}/Alphabet_of_the_Magi/character01/0709_${drawer}.png`);
    zip.end();
    await new Promise<void>((resolve) => zip.outputStream.pipe(createWriteStream(path.join(root, 'omniglot', `images_${split}.zip`))).on('close', () => resolve()));
    const sum = md5(new Uint8Array(await readFile(path.join(root, 'omniglot', `images_${split}.zip`))));
    t.not(sum, CATALOG['omniglot']!.remote!.find((r) => r.file === `images_${split}.zip`)!.md5);
  }
  // A mirror that cannot be reached: any attempt to download (or re-check) would fail.
  t.is(await fetchDataset(CATALOG['omniglot']!, { dataDir: root, mirror: 'http://127.0.0.1:9', progress: false }), path.join(root, 'omniglot'));
  const characters = await loadOmniglot('evaluation', { dataDir: root });
  t.deepEqual(characters.map((c) => `${c.alphabet}/${c.character}:${c.drawings.length}`), ['Alphabet_of_the_Magi/character01:2']);
});
