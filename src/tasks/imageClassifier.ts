/**
 * Image classification with a small conv net as the optimizee: the CNNs of the
 * RL learning-rate papers on MNIST-format data and on CIFAR-10. Like the MLP task,
 * every run (row) has its own parameters and its own minibatch sequence drawn
 * from its seed; the rows' networks run one after another.
 *
 * Nets (max-pooling is 2×2 with stride 2 throughout; dropout is left out):
 * - 'xu-mnist' (Xu et al.): conv 5×5×32 → pool → conv 5×5×64 → pool → fc 512 → 10, ReLU;
 * - 'zhu-mnist' (Zhu et al.'s "shallow 3-layer CNN", 28,938 parameters; ours has 28,874):
 *   conv 5×5×8 → pool → conv 5×5×16 → pool → fc 32 → 10, ReLU;
 * - 'xu-cifar' (Xu et al.): conv 5×5×64 → pool → conv 5×5×64 → pool → fc 384 → fc 192 → 10, ReLU,
 *   on images with the per-pixel training mean subtracted;
 * - 'resnet-cifar': a modern reference, ResNet-8 in He et al.'s CIFAR design (see `resNet`),
 *   same input normalisation. Its batch norm uses the statistics of the batch it sees,
 *   during evaluation too (chunks of 500 test images); there are no running averages.
 *
 * Options `normalization` ('pixel-mean', 'per-channel', 'none') and `augment`
 * (random crop with padding, horizontal flip: the standard CIFAR recipe) shape the
 * input; batches are assembled from the decoded cache on each step (data/imageBatch.ts).
 * Test metrics (`evaluate`) are on the dataset's test split, never augmented.
 */
import tf from '#tfjs';
import { loadCifar10Bytes } from '../data/cifar10.js';
import { assembleBatch, makeNormalizer, NORMALIZATIONS, type Augmentation, type ImageSource, type Normalization, type Normalizer } from '../data/imageBatch.js';
import { loadMnistLike } from '../data/mnist.js';
import { hashSeed, normals, rng } from '../random.js';
import { minibatchIndices } from './minibatch.js';
import { convNet, resNet, type ConvNet, type LayerSpec } from './convNet.js';
import { splitRows } from './rows.js';
import type { Problem, Task } from './types.js';
import { strict } from '../codec/strict.js';
import * as values from '../codec/values.js';
import { registerTaskKind, taskOptions } from './kinds.js';

export const IMAGE_NETS = ['xu-mnist', 'zhu-mnist', 'xu-cifar', 'resnet-cifar'] as const;
export type ImageNet = (typeof IMAGE_NETS)[number];

/** Why `net` cannot run on `dataset` (CIFAR-10 nets take 32×32×3 images, the others 28×28×1), or undefined when it can. */
export function netDatasetMismatch(net: ImageNet, dataset: string): string | undefined {
  const cifarNet = net === 'xu-cifar' || net === 'resnet-cifar';
  if (cifarNet === (dataset === 'cifar-10')) return undefined;
  return `net '${net}' does not fit dataset '${dataset}' (xu-cifar and resnet-cifar take CIFAR-10; xu-mnist and zhu-mnist take MNIST-format data)`;
}

const conv = (size: number, filters: number): LayerSpec[] => [{ type: 'conv', size, filters }, { type: 'relu' }, { type: 'maxPool', size: 2 }];
const dense = (units: number, relu = true): LayerSpec[] => [{ type: 'dense', units }, ...(relu ? [{ type: 'relu' } as const] : [])];

export function imageNet(name: ImageNet): ConvNet {
  if (name === 'xu-mnist') return convNet([28, 28, 1], [...conv(5, 32), ...conv(5, 64), { type: 'flatten' }, ...dense(512), ...dense(10, false)]);
  if (name === 'zhu-mnist') return convNet([28, 28, 1], [...conv(5, 8), ...conv(5, 16), { type: 'flatten' }, ...dense(32), ...dense(10, false)]);
  if (name === 'resnet-cifar') return resNet(10, 16, [32, 32, 3]);
  return convNet([32, 32, 3], [...conv(5, 64), ...conv(5, 64), { type: 'flatten' }, ...dense(384), ...dense(192), ...dense(10, false)]);
}

interface Images {
  train: ImageSource;
  test: ImageSource;
  /** Brings stored values to the net's input scale: bytes (CIFAR-10) or floats in [0, 1] (MNIST-format). */
  unit: number;
}

async function loadImages(dataset: string, dataDir?: string): Promise<Images> {
  if (dataset === 'cifar-10') {
    const { train, test } = await loadCifar10Bytes(dataDir);
    const shape: [number, number, number] = [32, 32, 3];
    return { train: { ...train, shape }, test: { ...test, shape }, unit: 1 / 255 };
  }
  const d = await loadMnistLike(dataset, dataDir);
  const shape: [number, number, number] = [28, 28, 1];
  return { train: { pixels: d.trainImages, labels: d.trainLabels, shape }, test: { pixels: d.testImages, labels: d.testLabels, shape }, unit: 1 };
}

export interface ImageClassifierOptions {
  dataset?: string;
  net?: ImageNet;
  batchSize?: number;
  dataDir?: string;
  id?: string;
  /**
   * Input normalisation, from the training split: 'pixel-mean' subtracts the mean image (Xu et al.; the CIFAR
   * default), 'per-channel' standardises each colour channel, 'none' (the MNIST default) leaves values in [0, 1].
   */
  normalization?: Normalization;
  /** Training-batch augmentation (random crop after padding by `crop` pixels, horizontal flips); none by default. */
  augment?: Partial<Augmentation>;
}

export function imageClassifierTask(options: ImageClassifierOptions = {}): Task {
  const dataset = options.dataset ?? 'mnist-10k';
  const name = options.net ?? (dataset === 'cifar-10' ? 'xu-cifar' : 'zhu-mnist');
  const batchSize = options.batchSize ?? 50;
  const net = imageNet(name);
  const normalization = options.normalization ?? (dataset === 'cifar-10' ? 'pixel-mean' : 'none');
  const augment: Augmentation = { crop: options.augment?.crop ?? 0, flip: options.augment?.flip ?? false };
  if (!Number.isInteger(augment.crop) || augment.crop < 0) throw new Error(`task ${options.id ?? name}: augment.crop must be a non-negative integer (pixels of padding), got ${augment.crop}`);
  const mismatch = netDatasetMismatch(name, dataset);
  if (mismatch !== undefined) throw new Error(`task ${options.id ?? name}: ${mismatch}`);
  let data: (Images & { normalizer: Normalizer }) | undefined;
  const need = () => {
    if (data === undefined) throw new Error(`task ${options.id ?? name}: call prepare() first (it loads ${dataset})`);
    return data;
  };
  const crossEntropy = (logits: tf.Tensor2D, labels: tf.Tensor2D) => tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  return {
    id: options.id ?? `${dataset}-${name}`,
    dimension: net.dimension,
    lossScale: 'log',
    async prepare() {
      if (data !== undefined) return;
      const images = await loadImages(dataset, options.dataDir);
      data = { ...images, normalizer: makeNormalizer(normalization, images.train, images.unit) };
    },
    instantiate(seeds): Problem {
      const d = need();
      const shape = d.train.shape;
      const pixels = shape[0] * shape[1] * shape[2];
      const start = tf.tensor2d(
        seeds.map((seed) => {
          const random = rng(hashSeed(seed, 0xc0c0));
          return Array.from(net.initialize(() => normals(random, 1)[0]!));
        }),
      );
      const augmenting = augment.crop > 0 || augment.flip;
      let cached: { step: number; x: tf.Tensor4D[]; y: tf.Tensor2D[] } | undefined;
      const batch = (step: number) => {
        if (cached?.step === step) return cached;
        if (cached !== undefined) tf.dispose([...cached.x, ...cached.y]);
        const x: tf.Tensor4D[] = [];
        const y: tf.Tensor2D[] = [];
        for (const seed of seeds) {
          const images = new Float32Array(batchSize * pixels);
          const labels = new Float32Array(batchSize * 10);
          const indices = minibatchIndices(d.train.labels.length, batchSize, seed, step, 0xba7c);
          // Crops and flips have their own stream, so the examples drawn do not depend on augmenting.
          const augmentation = augmenting ? { options: augment, random: rng(hashSeed(seed, step, 0xa06e)) } : undefined;
          assembleBatch(d.train, indices, d.normalizer, { images, oneHot: labels, classes: 10, at: 0 }, augmentation);
          // Kept outside any tidy scope: reused by every loss evaluation of this step.
          x.push(tf.keep(tf.tensor4d(images, [batchSize, ...shape])));
          y.push(tf.keep(tf.tensor2d(labels, [batchSize, 10])));
        }
        cached = { step, x, y };
        return cached;
      };
      return {
        seeds,
        start,
        loss: (theta, step) => {
          const { x, y } = batch(step);
          return tf.tidy(() => tf.stack(splitRows(theta).map((row, r) => crossEntropy(net.forward(row as tf.Tensor1D, x[r]!), y[r]!))) as tf.Tensor1D);
        },
        async trainLoss(theta, options = {}) {
          return (await this.evaluate!(theta, { ...options, split: 'train' })).map((m) => m['trainLoss']!);
        },
        async evaluate(theta, evalOptions = {}) {
          // The test split by default; the training split for the evaluation curve's full-batch training loss.
          const [set, name] = evalOptions.split === 'train' ? [d.train, 'train'] : [d.test, 'test'];
          const n = Math.min(set.labels.length, evalOptions.limit ?? Infinity);
          const out: Array<Record<string, number>> = [];
          const chunk = 500;
          const buffer = new Float32Array(chunk * pixels);
          for (let r = 0; r < seeds.length; r++) {
            let [lossSum, correct] = [0, 0];
            for (let from = 0; from < n; from += chunk) {
              const m = Math.min(chunk, n - from);
              assembleBatch(set, Int32Array.from({ length: m }, (_, j) => from + j), d.normalizer, { images: buffer, at: 0 });
              const [loss, hits] = tf.tidy(() => {
                const row = tf.squeeze(tf.slice(theta, [r, 0], [1, -1]), [0]) as tf.Tensor1D;
                const logits = net.forward(row, tf.tensor4d(buffer.subarray(0, m * pixels), [m, ...shape]));
                const labels = tf.tensor1d(Array.from(set.labels.subarray(from, from + m)), 'int32');
                return [tf.mul(crossEntropy(logits, tf.oneHot(labels, 10) as tf.Tensor2D), m), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'))];
              });
              const [l, h] = await Promise.all([loss.data(), hits.data()]);
              tf.dispose([loss, hits]);
              lossSum += l[0]!;
              correct += h[0]!;
            }
            out.push({ [`${name}Loss`]: lossSum / n, [`${name}Accuracy`]: correct / n });
          }
          return out;
        },
        dispose: () => tf.dispose([start, ...(cached === undefined ? [] : [...cached.x, ...cached.y])]),
      };
    },
  };
}

registerTaskKind({
  kind: 'imageClassifier',
  options: taskOptions(
    'imageClassifier',
    {
      dataset: values.text,
      net: values.oneOf(IMAGE_NETS),
      batchSize: values.positiveInt,
      normalization: values.oneOf(NORMALIZATIONS),
      augment: strict('an augmentation {crop: pixels of padding (4 for CIFAR), flip: true/false}', {}, { crop: values.intAtLeast(0), flip: values.boolean }),
    },
    {
    check: (o) => {
      const mismatch = o.net === undefined ? undefined : netDatasetMismatch(o.net, o.dataset ?? 'mnist-10k');
      return mismatch === undefined ? [] : [{ key: 'net', message: mismatch }];
    },
  }),
  // No gradient noise: the image classifiers train on minibatches, noisy already.
  create: (o, { id, dataDir }) => imageClassifierTask({ ...o, id, dataDir }),
});
