/**
 * A SYNTHETIC conv-net task for memory tests: a small conv net on random 12×12
 * images with 3 classes, each row (seed) its own images and start. What it costs per
 * row grows with the batch, like the real image tasks; `failAbove` makes its loss
 * throw `error()` when more rows than that run together (a stand-in for a heap that
 * is full at that size).
 */
import * as tf from '@tensorflow/tfjs';
import { convNet } from '../../src/tasks/convNet.js';
import { splitRows } from '../../src/tasks/rows.js';
import { hashSeed, normals, rng } from '../../src/random.js';
import type { Problem, Task } from '../../src/tasks/types.js';

export function syntheticConvTask(options: { id?: string; batch?: number; failAbove?: number; error?: () => Error } = {}): Task & { calls: number[] } {
  const batch = options.batch ?? 8;
  const net = convNet([12, 12, 1], [{ type: 'conv', size: 3, filters: 6 }, { type: 'relu' }, { type: 'maxPool', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 3 }]);
  const calls: number[] = [];
  const data = (seed: number, salt: number) => {
    const random = rng(hashSeed(seed, salt));
    return { images: normals(random, batch * 144), labels: Array.from({ length: batch }, () => Math.floor(random() * 3)) };
  };
  const crossEntropy = (logits: tf.Tensor2D, labels: number[]) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(labels, 'int32'), 3), logits) as tf.Scalar;
  return {
    id: options.id ?? 'synthetic-conv',
    dimension: net.dimension,
    lossScale: 'log',
    calls,
    instantiate(seeds): Problem {
      const train = seeds.map((s) => data(s, 1));
      const test = seeds.map((s) => data(s, 2));
      const x = train.map((d) => tf.tensor4d(d.images, [batch, 12, 12, 1]));
      const start = tf.tensor2d(seeds.map((s) => Array.from(net.initialize(((r) => () => normals(r, 1)[0]!)(rng(hashSeed(s, 3)))))));
      return {
        seeds,
        start,
        loss: (theta) => {
          calls.push(theta.shape[0]);
          if (options.failAbove !== undefined && theta.shape[0] > options.failAbove) throw (options.error ?? (() => new WebAssembly.RuntimeError('memory access out of bounds')))();
          return tf.tidy(() => tf.stack(splitRows(theta).map((row, r) => crossEntropy(net.forward(row as tf.Tensor1D, x[r]!), train[r]!.labels))) as tf.Tensor1D);
        },
        async evaluate(theta) {
          const out: Array<Record<string, number>> = [];
          for (let r = 0; r < seeds.length; r++) {
            const accuracy = tf.tidy(() => {
              const logits = net.forward(tf.reshape(tf.slice(theta, [r, 0], [1, -1]), [-1]) as tf.Tensor1D, tf.tensor4d(test[r]!.images, [batch, 12, 12, 1]));
              return tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.tensor1d(test[r]!.labels, 'int32')), 'float32'));
            });
            out.push({ testAccuracy: (await accuracy.data())[0]! });
            accuracy.dispose();
          }
          return out;
        },
        dispose: () => tf.dispose([start, ...x]),
      };
    },
  };
}
