/**
 * MNIST-format classification with a small MLP as an optimizee (the L2L paper's
 * task: 784 → 20 sigmoid → 10, batch 128). Parameters are one flat vector per
 * run, so many runs train as rows of one batched computation; each run draws
 * its own minibatch sequence from its seed.
 */
import tf from '#tfjs';
import { loadMnistLike, type ImageDataset } from '../data/mnist.js';
import { drawMinibatch } from './minibatch.js';
import { hashSeed, rng } from '../random.js';
import type { Problem, Task } from './types.js';
import * as values from '../codec/values.js';
import { registerTaskKind, taskOptions } from './kinds.js';
import { initMlp, MLP_INITS, type MlpInit } from './mlpInit.js';
import { DenseStack } from './denseStack.js';

export interface MnistMlpOptions {
  dataset?: string;
  hidden?: number[];
  activation?: 'sigmoid' | 'relu';
  batchSize?: number;
  dataDir?: string;
  id?: string;
  gradientNoise?: number;
  /** 'glorot' (default: Glorot-uniform weights, zero biases) or 'reference' (weights and biases ~ N(0, 0.01²), the L2L reference code). */
  init?: MlpInit;
}

export function mnistMlpTask(options: MnistMlpOptions = {}): Task {
  const dataset = options.dataset ?? 'mnist-10k';
  const hidden = options.hidden ?? [20];
  const activation = options.activation ?? 'sigmoid';
  const init = options.init ?? 'glorot';
  const batchSize = options.batchSize ?? 128;
  const net = new DenseStack([784, ...hidden, 10], activation);
  const { layers, dimension } = net;
  let data: ImageDataset | undefined;
  const need = () => {
    if (data === undefined) throw new Error(`task ${options.id ?? 'mnist-mlp'}: call prepare() first (it loads ${dataset})`);
    return data;
  };

  const widest = Math.max(...layers.map((l) => l.outputs));

  return {
    id: options.id ?? `${dataset}-mlp-${hidden.join('x')}-${activation}${init === 'glorot' ? '' : `-${init}-init`}`,
    dimension,
    threshold: 0.5,
    lossScale: 'log',
    ...(options.gradientNoise === undefined ? {} : { gradientNoise: options.gradientNoise }),
    async prepare() {
      data ??= await loadMnistLike(dataset, options.dataDir);
    },
    instantiate(seeds): Problem {
      const d = need();
      const trainCount = d.trainLabels.length;
      // Drawn from each run's seed (mlpInit.ts).
      const initial = new Float32Array(seeds.length * dimension);
      seeds.forEach((seed, row) => initMlp(init, layers, rng(hashSeed(seed, 0x1a2b)), initial, row * dimension));
      const start = tf.tensor2d(initial, [seeds.length, dimension]);
      let cached: { step: number; x: tf.Tensor3D; y: tf.Tensor3D } | undefined;
      const batch = (step: number) => {
        if (cached?.step === step) return cached;
        if (cached !== undefined) tf.dispose([cached.x, cached.y]);
        const x = new Float32Array(seeds.length * batchSize * 784);
        const y = new Float32Array(seeds.length * batchSize * 10);
        const pool = { images: d.trainImages, labels: d.trainLabels, pixels: 784, count: trainCount, classes: 10 };
        seeds.forEach((seed, row) => drawMinibatch(pool, batchSize, seed, step, 0x5eed, { images: x, oneHot: y, at: row * batchSize }));
        // Kept outside any tidy scope: the batch is reused by every loss evaluation of this step.
        cached = { step, x: tf.keep(tf.tensor3d(x, [seeds.length, batchSize, 784])), y: tf.keep(tf.tensor3d(y, [seeds.length, batchSize, 10])) };
        return cached;
      };
      return {
        seeds,
        start,
        loss: (theta, step) => {
          const { x, y } = batch(step);
          return net.loss(theta, x, y);
        },
        lossAndGrad: (theta, step) => {
          const { x, y } = batch(step);
          return net.lossAndGrad(theta, x, y);
        },
        async trainLoss(theta, options = {}) {
          return (await this.evaluate!(theta, { ...options, split: 'train' })).map((m) => m['trainLoss']!);
        },
        async evaluate(theta, options = {}) {
          // The test split by default; the training split for the evaluation curve's full-batch training loss.
          const [images, labelsOf, name] = options.split === 'train' ? [d.trainImages, d.trainLabels, 'train'] : [d.testImages, d.testLabels, 'test'];
          const n = Math.min(labelsOf.length, options.limit ?? Infinity);
          const rows = theta.shape[0];
          // In chunks of examples, so that [examples, rows × widest layer] stays near 16M floats.
          const chunk = Math.max(1, Math.min(n, Math.floor(16_000_000 / Math.max(784, rows * widest))));
          const lossSum = new Float64Array(rows);
          const correctSum = new Float64Array(rows);
          for (let from = 0; from < n; from += chunk) {
            const m = Math.min(chunk, n - from);
            const [loss, correct] = tf.tidy(() => {
              const xs = tf.tensor2d(images.subarray(from * 784, (from + m) * 784), [m, 784]);
              // [1, m, 10]: broadcast over the rows.
              const labels = tf.oneHot(tf.tensor1d(Array.from(labelsOf.subarray(from, from + m)), 'int32'), 10).expandDims(0) as tf.Tensor3D;
              const logits = net.forwardShared(theta, xs);
              return [tf.mul(net.crossEntropy(logits, labels), m), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 2), tf.argMax(labels, 2)), 'float32'), 1)];
            });
            const [l, c] = await Promise.all([loss.data(), correct.data()]);
            tf.dispose([loss, correct]);
            for (let i = 0; i < rows; i++) {
              lossSum[i]! += l[i]!;
              correctSum[i]! += c[i]!;
            }
          }
          return Array.from({ length: rows }, (_, i) => ({ [`${name}Loss`]: lossSum[i]! / n, [`${name}Accuracy`]: correctSum[i]! / n }));
        },
        dispose: () => tf.dispose([start, ...(cached === undefined ? [] : [cached.x, cached.y])]),
      };
    },
  };
}

registerTaskKind({
  kind: 'mnistMlp',
  options: taskOptions('mnistMlp', { dataset: values.text, hidden: values.positiveInts, activation: values.oneOf(['sigmoid', 'relu']), batchSize: values.positiveInt, init: values.oneOf(MLP_INITS) }),
  create: (o, common) => mnistMlpTask({ ...o, ...common }),
});
