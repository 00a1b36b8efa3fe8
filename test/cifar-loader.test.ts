/**
 * The CIFAR-10 input pipeline on small slices the test writes in the real binary
 * layout (label byte + 1,024 red, 1,024 green, 1,024 blue bytes per record): the
 * byte cache (HWC, decoded once per folder), per-pixel-mean and per-channel
 * normalisation, and augmentation (crop after padding 4, horizontal flip) that
 * is the same for the same (seed, step) and moves pixels exactly as specified.
 */
import test from 'ava';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { CIFAR10_BATCHES } from '../src/data/catalog.js';
import { decodeCifar10Batch, loadCifar10Bytes } from '../src/data/cifar10.js';
import { assembleBatch, channelNormalizer, identityNormalizer, pixelMeanNormalizer, type ImageSource } from '../src/data/imageBatch.js';
import { hashSeed, rng } from '../src/random.js';
import { drawMinibatch, minibatchIndices } from '../src/tasks/minibatch.js';
import { imageClassifierTask } from '../src/tasks/imageClassifier.js';
import { taskFromSpec } from '../src/tasks/registry.js';

/** Record r: label r mod 10; pixel p (row-major) has red = (r + p) mod 256, green = p mod 251, blue = 255 − r. */
function records(count: number, first = 0): Uint8Array {
  const out = new Uint8Array(count * 3073);
  for (let i = 0; i < count; i++) {
    const r = first + i;
    const base = i * 3073;
    out[base] = r % 10;
    for (let p = 0; p < 1024; p++) {
      out[base + 1 + p] = (r + p) % 256;
      out[base + 1 + 1024 + p] = p % 251;
      out[base + 1 + 2048 + p] = 255 - r;
    }
  }
  return out;
}

async function cifarTree(perBatch: number): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-cifar-slice-'));
  const dir = path.join(root, 'cifar-10', 'cifar-10-batches-bin');
  await mkdir(dir, { recursive: true });
  for (const [i, file] of CIFAR10_BATCHES.entries()) await writeFile(path.join(dir, file), records(perBatch, i * perBatch));
  return root;
}

test.before(async () => {
  await setupBackend('wasm');
});

test('the byte cache holds the records in HWC order, all five training batches then the test batch, decoded once per folder', async (t) => {
  const one = decodeCifar10Batch(records(2, 7), 'slice.bin');
  // Record 7, pixel 37 (row 1, column 5): red (7 + 37), green 37, blue 248.
  t.deepEqual([...one.pixels.subarray(37 * 3, 37 * 3 + 3)], [44, 37, 248]);
  t.deepEqual([...one.labels], [7, 8]);
  const root = await cifarTree(3);
  const first = await loadCifar10Bytes(root);
  t.is(first.train.labels.length, 15);
  t.is(first.train.pixels.length, 15 * 3072);
  t.deepEqual([...first.test.labels], [5, 6, 7]);
  // Training record 4 is batch 2's second record (r = 4): its blue is 251 everywhere.
  t.is(first.train.pixels[4 * 3072 + 1000 * 3 + 2], 251);
  t.is(await loadCifar10Bytes(root), first, 'a second task reading the same folder gets the same cache');
});

const source = (pixels: Uint8Array, labels: Uint8Array): ImageSource => ({ pixels, labels, shape: [32, 32, 3] });

test('per-channel normalisation standardises each channel over the training images; pixel-mean centres each pixel', (t) => {
  const { pixels, labels } = decodeCifar10Batch(records(20), 'slice.bin');
  const images = new Float32Array(20 * 3072);
  for (const [normalizer, name] of [[channelNormalizer(source(pixels, labels), 1 / 255), 'per-channel'], [pixelMeanNormalizer(source(pixels, labels), 1 / 255), 'pixel-mean']] as const) {
    assembleBatch(source(pixels, labels), Int32Array.from({ length: 20 }, (_, i) => i), normalizer, { images, at: 0 });
    if (name === 'per-channel') {
      for (let c = 0; c < 3; c++) {
        const values = images.filter((_, i) => i % 3 === c);
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
        t.true(Math.abs(mean) < 1e-4 && Math.abs(variance - 1) < 1e-3, `channel ${c}: mean ${mean}, variance ${variance}`);
      }
    } else {
      for (const p of [0, 1000, 3071]) {
        const mean = Array.from({ length: 20 }, (_, i) => images[i * 3072 + p]!).reduce((a, b) => a + b, 0) / 20;
        t.true(Math.abs(mean) < 1e-5, `pixel ${p}: mean ${mean}`);
      }
      // Pixel-mean keeps the [0, 1] scale: record 0 minus record 1 in red at pixel 0 is −1/255.
      t.true(Math.abs(images[0]! - images[3072]! + 1 / 255) < 1e-6);
    }
  }
});

test('augmentation: the same (seed, step) gives the same crops and flips; a crop shifts the image over black padding, a flip mirrors it', (t) => {
  const { pixels, labels } = decodeCifar10Batch(records(8), 'slice.bin');
  const src = source(pixels, labels);
  const identity = identityNormalizer([32, 32, 3], 1);
  const batch = (seed: number, options = { crop: 4, flip: true }) => {
    const images = new Float32Array(8 * 3072);
    assembleBatch(src, Int32Array.from({ length: 8 }, (_, i) => i), identity, { images, at: 0 }, { options, random: rng(hashSeed(seed, 0, 0xa06e)) });
    return images;
  };
  t.deepEqual(batch(3), batch(3), 'same seed, same batch');
  t.notDeepEqual(batch(3), batch(4), 'another seed, other crops');
  const plain = new Float32Array(8 * 3072);
  assembleBatch(src, Int32Array.from({ length: 8 }, (_, i) => i), identity, { images: plain, at: 0 });
  t.deepEqual(batch(3, { crop: 0, flip: false }), plain, 'no crop and no flip is no augmentation');
  // Replay the random draws to know each image's offsets, then check every pixel of every image.
  const random = rng(hashSeed(3, 0, 0xa06e));
  const augmented = batch(3);
  let [flips, shifted] = [0, 0];
  for (let i = 0; i < 8; i++) {
    const dy = Math.floor(random() * 9) - 4;
    const dx = Math.floor(random() * 9) - 4;
    const flip = random() < 0.5;
    flips += flip ? 1 : 0;
    shifted += dx !== 0 || dy !== 0 ? 1 : 0;
    let mismatches = 0;
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const [sy, sx] = [y + dy, (flip ? 31 - x : x) + dx];
        for (let c = 0; c < 3; c++) {
          const expected = sy >= 0 && sy < 32 && sx >= 0 && sx < 32 ? pixels[i * 3072 + (sy * 32 + sx) * 3 + c]! : 0;
          if (augmented[i * 3072 + (y * 32 + x) * 3 + c] !== expected) mismatches++;
        }
      }
    }
    t.is(mismatches, 0, `image ${i} (dy ${dy}, dx ${dx}, flip ${flip})`);
  }
  t.true(flips > 0 && flips < 8 && shifted > 0, 'the seed exercises both flips and shifts');
});

test('the byte path reproduces the float minibatches of MNIST-format pools (same examples, same values)', (t) => {
  const random = rng(9);
  const pool = { images: Float32Array.from({ length: 30 * 784 }, () => random()), labels: Uint8Array.from({ length: 30 }, (_, i) => i % 10), pixels: 784, count: 30, classes: 10 };
  const [a, b] = [new Float32Array(5 * 784), new Float32Array(5 * 784)];
  const [ya, yb] = [new Float32Array(50), new Float32Array(50)];
  drawMinibatch(pool, 5, 2, 7, 0xba7c, { images: a, oneHot: ya, at: 0 });
  assembleBatch({ pixels: pool.images, labels: pool.labels, shape: [28, 28, 1] }, minibatchIndices(30, 5, 2, 7, 0xba7c), identityNormalizer([28, 28, 1], 1), { images: b, oneHot: yb, classes: 10, at: 0 });
  t.deepEqual(b, a);
  t.deepEqual(yb, ya);
});

test('an augmented CIFAR task: the same seed gives the same losses, augmenting changes them, evaluation and memory are unaffected; bad options are named', async (t) => {
  const root = await cifarTree(6);
  const make = (augment?: { crop: number; flip: boolean }) =>
    imageClassifierTask({ dataset: 'cifar-10', net: 'xu-cifar', batchSize: 4, dataDir: root, normalization: 'per-channel', ...(augment === undefined ? {} : { augment }) });
  const losses = async (augment?: { crop: number; flip: boolean }) => {
    const task = make(augment);
    await task.prepare!();
    const problem = task.instantiate([0, 1]);
    const before = tf.memory().numTensors;
    const loss = problem.loss(problem.start, 3);
    const values = [...(await loss.data())];
    const metrics = await problem.evaluate!(problem.start);
    loss.dispose();
    problem.dispose();
    return { values, metrics, leaked: tf.memory().numTensors - before };
  };
  const a = await losses({ crop: 4, flip: true });
  t.deepEqual((await losses({ crop: 4, flip: true })).values, a.values);
  const plain = await losses();
  t.notDeepEqual(plain.values, a.values);
  t.deepEqual(plain.metrics, a.metrics, 'test metrics never see augmentation');
  t.true(a.leaked <= 0 && plain.leaked <= 0);
  t.throws(() => taskFromSpec({ task: 'imageClassifier', options: { dataset: 'cifar-10', net: 'xu-cifar', normalization: 'zca' } }, '$.tasks[0]'), { message: /\$\.tasks\[0\]\.options\.normalization: expected 'pixel-mean' or 'per-channel' or 'none', got "zca"/ });
  t.throws(() => taskFromSpec({ task: 'imageClassifier', options: { dataset: 'cifar-10', net: 'xu-cifar', augment: { crop: -1 } } }, '$.tasks[0]'), { message: /\$\.tasks\[0\]\.options\.augment\.crop: expected an integer ≥ 0, got -1/ });
  t.throws(() => taskFromSpec({ task: 'imageClassifier', options: { dataset: 'cifar-10', net: 'xu-cifar', augment: { mirror: true } as never } }, '$.tasks[0]'), { message: /options\.augment\.mirror: unknown key; expected one of crop, flip/ });
});
