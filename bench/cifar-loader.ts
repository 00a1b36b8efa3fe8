/**
 * CIFAR-10 input throughput (issue #19): is data loading ever the bottleneck?
 * Measures, on the real files, (1) decoding the six binary batches into the
 * byte cache, (2) assembling training batches of 128 from it — per-channel
 * normalisation, with and without crop + flip — and (3) the same plus the upload
 * to a tensor, each as images per second, beside one training step of the Xu
 * CIFAR CNN and the ResNet-8 at batch 128 for scale.
 *
 *   npm run bench:cifar -- --data-dir /path/to/datasets [--backend wasm] [--out DIR]   (flags, provenance, the result file: harness.ts)
 */
import { performance } from 'node:perf_hooks';
import { tf } from '../src/index.js';
import { loadCifar10Bytes } from '../src/data/cifar10.js';
import { assembleBatch, channelNormalizer } from '../src/data/imageBatch.js';
import { hashSeed, rng } from '../src/random.js';
import { minibatchIndices } from '../src/tasks/minibatch.js';
import { imageClassifierTask } from '../src/tasks/imageClassifier.js';
import { startBench } from './harness.js';

const { options, writeResult } = await startBench<{ dataDir: string }>({
  name: 'bench:cifar',
  description: 'CIFAR-10 input throughput against a training step',
  backends: ['wasm', 'cpu', 'webgpu', 'tensorflow', 'auto'],
  flags: (c) => c.requiredOption('--data-dir <dir>', 'the folder that holds cifar-10/cifar-10-batches-bin'),
});
const { dataDir } = options;

const t0 = performance.now();
const { train } = await loadCifar10Bytes(dataDir);
const decodeSeconds = (performance.now() - t0) / 1000;
const source = { ...train, shape: [32, 32, 3] as [number, number, number] };
const normalizer = channelNormalizer(source, 1 / 255);

const batchSize = 128;
const batches = 200;
const images = new Float32Array(batchSize * 3072);
const oneHot = new Float32Array(batchSize * 10);
function assemble(step: number, augment: boolean, upload: boolean): void {
  oneHot.fill(0);
  const indices = minibatchIndices(train.labels.length, batchSize, 0, step, 0xba7c);
  assembleBatch(source, indices, normalizer, { images, oneHot, classes: 10, at: 0 }, augment ? { options: { crop: 4, flip: true }, random: rng(hashSeed(0, step, 0xa06e)) } : undefined);
  if (upload) tf.dispose([tf.tensor4d(images, [batchSize, 32, 32, 3]), tf.tensor2d(oneHot, [batchSize, 10])]);
}
function imagesPerSecond(augment: boolean, upload: boolean): number {
  const start = performance.now();
  for (let s = 0; s < batches; s++) assemble(s, augment, upload);
  return (batches * batchSize) / ((performance.now() - start) / 1000);
}
imagesPerSecond(true, true); // warm-up
const assembly = { plain: imagesPerSecond(false, false), augmented: imagesPerSecond(true, false), augmentedAndUploaded: imagesPerSecond(true, true) };

/** Mean ms of one loss-and-gradient step of `net` at batch 128 (3 after a warm-up), batch assembly included. */
async function stepMs(net: 'xu-cifar' | 'resnet-cifar'): Promise<number> {
  const task = imageClassifierTask({ dataset: 'cifar-10', net, batchSize, dataDir, normalization: 'per-channel', augment: { crop: 4, flip: true } });
  await task.prepare!();
  const problem = task.instantiate([0]);
  const step = async (s: number) => {
    const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(problem.loss(x as tf.Tensor2D, s)))(problem.start));
    await grad.data();
    grad.dispose();
  };
  await step(0);
  const start = performance.now();
  for (let s = 1; s <= 3; s++) await step(s);
  problem.dispose();
  return (performance.now() - start) / 3;
}
const steps = { 'xu-cifar': await stepMs('xu-cifar'), 'resnet-cifar': await stepMs('resnet-cifar') };

const result = {
  decode: { images: train.labels.length + 10_000, seconds: decodeSeconds, imagesPerSecond: (train.labels.length + 10_000) / decodeSeconds },
  assemblyImagesPerSecond: assembly,
  batchSize,
  stepMsAtBatch128: steps,
  /** Images a training step consumes per second, for comparison with the assembly rate. */
  trainingImagesPerSecond: Object.fromEntries(Object.entries(steps).map(([k, ms]) => [k, batchSize / (ms / 1000)])),
};
console.log(JSON.stringify(result, null, 2));
await writeResult('cifar-loader', 'cifar-10 input pipeline', result);
