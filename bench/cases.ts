/** The benchmark workloads of issue #2: (a) CNN step, (b) MLP step, (c) 512² matmul. */
import { tf, mnistCnn, mnistMlp, randomBatch, trainingStep } from '../src/index.js';

export interface BenchCase {
  id: string;
  title: string;
  /** Builds the workload once; returns one timed operation. */
  prepare(): Promise<() => Promise<void>>;
  dispose?(): void;
}

function trainingCase(id: string, title: string, build: () => tf.LayersModel, inputShape: number[], batchSize: number): BenchCase {
  let model: tf.LayersModel | undefined;
  let optimizer: tf.Optimizer | undefined;
  let batch: { x: tf.Tensor; y: tf.Tensor } | undefined;
  return {
    id,
    title,
    async prepare() {
      model = build();
      optimizer = tf.train.adam(1e-3);
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

let matrix: tf.Tensor | undefined;
export const CASES: BenchCase[] = [
  trainingCase('cnn', '(a) CNN train step, batch 50, Adam', () => mnistCnn({ seed: 1 }), [28, 28, 1], 50),
  trainingCase('mlp', '(b) MLP 784-20-10 sigmoid train step, batch 128, Adam', () => mnistMlp({ seed: 1 }), [784], 128),
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
