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
 */
import * as tf from '@tensorflow/tfjs';
import { loadCifar10 } from '../data/cifar10.js';
import { loadMnistLike } from '../data/mnist.js';
import { hashSeed, normals, rng } from '../random.js';
import { drawMinibatch } from './minibatch.js';
import { convNet, resNet, type ConvNet, type LayerSpec } from './convNet.js';
import { splitRows } from './rows.js';
import type { Problem, Task } from './types.js';
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
  shape: [number, number, number];
  train: { images: Float32Array; labels: Uint8Array };
  test: { images: Float32Array; labels: Uint8Array };
}

async function loadImages(dataset: string, dataDir?: string): Promise<Images> {
  if (dataset === 'cifar-10') {
    const { train, test } = await loadCifar10(dataDir);
    // Per-pixel mean of the training images, subtracted from both splits.
    const size = 32 * 32 * 3;
    const mean = new Float32Array(size);
    const n = train.labels.length;
    for (let i = 0; i < n; i++) for (let p = 0; p < size; p++) mean[p]! += train.images[i * size + p]! / n;
    const centre = (images: Float32Array) => images.map((v, i) => v - mean[i % size]!);
    return { shape: [32, 32, 3], train: { images: centre(train.images), labels: train.labels }, test: { images: centre(test.images), labels: test.labels } };
  }
  const d = await loadMnistLike(dataset, dataDir);
  return { shape: [28, 28, 1], train: { images: d.trainImages, labels: d.trainLabels }, test: { images: d.testImages, labels: d.testLabels } };
}

export interface ImageClassifierOptions {
  dataset?: string;
  net?: ImageNet;
  batchSize?: number;
  dataDir?: string;
  id?: string;
}

export function imageClassifierTask(options: ImageClassifierOptions = {}): Task {
  const dataset = options.dataset ?? 'mnist-10k';
  const name = options.net ?? (dataset === 'cifar-10' ? 'xu-cifar' : 'zhu-mnist');
  const batchSize = options.batchSize ?? 50;
  const net = imageNet(name);
  const mismatch = netDatasetMismatch(name, dataset);
  if (mismatch !== undefined) throw new Error(`task ${options.id ?? name}: ${mismatch}`);
  let data: Images | undefined;
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
      data ??= await loadImages(dataset, options.dataDir);
    },
    instantiate(seeds): Problem {
      const d = need();
      const pixels = d.shape[0] * d.shape[1] * d.shape[2];
      const start = tf.tensor2d(
        seeds.map((seed) => {
          const random = rng(hashSeed(seed, 0xc0c0));
          return Array.from(net.initialize(() => normals(random, 1)[0]!));
        }),
      );
      let cached: { step: number; x: tf.Tensor4D[]; y: tf.Tensor2D[] } | undefined;
      const batch = (step: number) => {
        if (cached?.step === step) return cached;
        if (cached !== undefined) tf.dispose([...cached.x, ...cached.y]);
        const x: tf.Tensor4D[] = [];
        const y: tf.Tensor2D[] = [];
        const pool = { images: d.train.images, labels: d.train.labels, pixels, count: d.train.labels.length, classes: 10 };
        for (const seed of seeds) {
          const images = new Float32Array(batchSize * pixels);
          const labels = new Float32Array(batchSize * 10);
          drawMinibatch(pool, batchSize, seed, step, 0xba7c, { images, oneHot: labels, at: 0 });
          // Kept outside any tidy scope: reused by every loss evaluation of this step.
          x.push(tf.keep(tf.tensor4d(images, [batchSize, ...d.shape])));
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
          for (let r = 0; r < seeds.length; r++) {
            let [lossSum, correct] = [0, 0];
            for (let from = 0; from < n; from += chunk) {
              const m = Math.min(chunk, n - from);
              const [loss, hits] = tf.tidy(() => {
                const row = tf.squeeze(tf.slice(theta, [r, 0], [1, -1]), [0]) as tf.Tensor1D;
                const logits = net.forward(row, tf.tensor4d(set.images.subarray(from * pixels, (from + m) * pixels), [m, ...d.shape]));
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
  options: taskOptions('imageClassifier', { dataset: values.text, net: values.oneOf(IMAGE_NETS), batchSize: values.positiveInt }, {
    check: (o) => {
      const mismatch = o.net === undefined ? undefined : netDatasetMismatch(o.net, o.dataset ?? 'mnist-10k');
      return mismatch === undefined ? [] : [{ key: 'net', message: mismatch }];
    },
  }),
  // No gradient noise: the image classifiers train on minibatches, noisy already.
  create: (o, { id, dataDir }) => imageClassifierTask({ ...o, id, dataDir }),
});
