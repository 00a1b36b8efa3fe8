/** The benchmark workloads of issue #2: (a) CNN step, (b) MLP step, (c) 512² matmul; and (d) a ResNet-8 step on CIFAR-sized images. */
import { tf } from '../src/index.js';
import { mnistCnn, mnistMlp, randomBatch, trainingStep } from '../src/models/index.js';
import { resNet } from '../src/tasks/index.js';

export interface BenchCase {
  id: string;
  title: string;
  /** Builds the workload once; returns one timed operation. */
  prepare(): Promise<() => Promise<void>>;
  dispose?(): void;
}

/** A supervised training step of a layers model; the optimizer is tf.train.adam unless `makeOptimizer` says otherwise. */
export function trainingCase(
  id: string,
  title: string,
  build: () => tf.LayersModel,
  inputShape: number[],
  batchSize: number,
  makeOptimizer: () => tf.Optimizer = () => tf.train.adam(1e-3),
): BenchCase {
  let model: tf.LayersModel | undefined;
  let optimizer: tf.Optimizer | undefined;
  let batch: { x: tf.Tensor; y: tf.Tensor } | undefined;
  return {
    id,
    title,
    async prepare() {
      model = build();
      optimizer = makeOptimizer();
      batch = randomBatch(inputShape, batchSize, 10, 3);
      const m = model;
      const o = optimizer;
      const data = batch;
      await trainingStep(m, o, data); // warm-up
      return async () => {
        await trainingStep(m, o, data);
      };
    },
    dispose() {
      model?.dispose();
      optimizer?.dispose();
      if (batch !== undefined) tf.dispose([batch.x, batch.y]);
    },
  };
}

/** A loss-and-gradient step of the CIFAR ResNet-8 over its flat parameters, as the suites run it (batch 128, 32×32×3). */
function resnetCase(): BenchCase {
  let held: tf.Tensor[] = [];
  return {
    id: 'resnet',
    title: '(d) ResNet-8 (CIFAR) loss + gradient, batch 128, flat parameters',
    async prepare() {
      const net = resNet(10, 16);
      let seed = 1;
      const theta = tf.tensor1d(net.initialize(() => Math.sin(seed++ * 12.9898) * 0.5));
      const { x, y } = randomBatch([32, 32, 3], 128, 10, 4);
      held = [theta, x, y];
      const step = async () => {
        const grad = tf.tidy(() => tf.grad((p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, net.forward(p as tf.Tensor1D, x as tf.Tensor4D)))(theta));
        await grad.data();
        grad.dispose();
      };
      await step(); // warm-up
      return step;
    },
    dispose() {
      tf.dispose(held);
    },
  };
}

let matrix: tf.Tensor | undefined;
export const CASES: BenchCase[] = [
  trainingCase('cnn', '(a) CNN train step, batch 50, Adam', () => mnistCnn({ seed: 1 }), [28, 28, 1], 50),
  trainingCase('mlp', '(b) MLP 784-20-10 sigmoid train step, batch 128, Adam', () => mnistMlp({ seed: 1 }), [784], 128),
  resnetCase(),
  {
    id: 'matmul',
    title: '(c) matmul 512x512',
    async prepare() {
      matrix = tf.randomNormal([512, 512], 0, 1, 'float32', 5);
      const a = matrix;
      return async () => {
        const product = tf.matMul(a, a);
        await product.data();
        product.dispose();
      };
    },
    dispose() {
      matrix?.dispose();
    },
  },
];
