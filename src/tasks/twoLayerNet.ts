/**
 * Li & Malik's neural-net family: a classifier with one hidden ReLU layer on a
 * random synthetic dataset (four Gaussian classes of 25 points in 2-D by default),
 * softmax cross-entropy plus (λ/2)‖W‖². The start is drawn from the seed with
 * fan-in scaling.
 */
import tf from '#tfjs';
import { gaussianClusters } from './gaussianClusters.js';
import type { Problem, Task } from './types.js';
import t from '#cjs/io-ts';
import * as values from '../codec/values.js';
import { registerTaskKind, taskOptions } from './kinds.js';

export interface TwoLayerNetOptions {
  /** Input features (default 2). */
  dimension?: number;
  /** Hidden ReLU units (default 2). */
  hidden?: number;
  /** Classes (default 4). */
  classes?: number;
  /** Points per class (default 25). */
  points?: number;
  l2?: number;
  id?: string;
  gradientNoise?: number;
}

export function twoLayerNetTask(options: TwoLayerNetOptions = {}): Task {
  const d = options.dimension ?? 2;
  const h = options.hidden ?? 2;
  const k = options.classes ?? 4;
  const perClass = options.points ?? 25;
  const l2 = options.l2 ?? 0.0005;
  const n = k * perClass;
  const sizes = { w1: d * h, b1: h, w2: h * k, b2: k };
  const dimension = sizes.w1 + sizes.b1 + sizes.w2 + sizes.b2;
  return {
    id: options.id ?? 'two-layer-net',
    dimension,
    lossScale: 'log',
    ...(options.gradientNoise === undefined ? {} : { gradientNoise: options.gradientNoise }),
    instantiate(seeds): Problem {
      const sets = seeds.map((seed) => gaussianClusters(seed, { clusters: k, perCluster: perClass, dimension: d, spread: 1.5, extra: dimension }));
      const x = tf.tensor3d(sets.flatMap((s) => Array.from(s.x)), [seeds.length, n, d]);
      const labels = tf.oneHot(tf.tensor2d(sets.flatMap((s) => Array.from(s.cluster)), [seeds.length, n], 'int32'), k);
      // Fan-in scaling of the start: weights ~ N(0, 1/fan_in), biases 0.
      const scale = [...Array(sizes.w1).fill(1 / Math.sqrt(d)), ...Array(sizes.b1).fill(0), ...Array(sizes.w2).fill(1 / Math.sqrt(h)), ...Array(sizes.b2).fill(0)];
      const start = tf.tensor2d(sets.flatMap((s) => Array.from(s.extra, (v, i) => v * scale[i]!)), [seeds.length, dimension]);
      return {
        seeds,
        start,
        loss: (theta) =>
          tf.tidy(() => {
            const rows = theta.shape[0];
            const [w1, b1, w2, b2] = tf.split(theta, [sizes.w1, sizes.b1, sizes.w2, sizes.b2], 1);
            const hidden = tf.relu(tf.add(tf.matMul(x, tf.reshape(w1!, [rows, d, h])), tf.reshape(b1!, [rows, 1, h])));
            const logits = tf.add(tf.matMul(hidden, tf.reshape(w2!, [rows, h, k])), tf.reshape(b2!, [rows, 1, k]));
            const ce = tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 2), 1));
            const decay = tf.add(tf.sum(tf.square(w1!), 1), tf.sum(tf.square(w2!), 1));
            return tf.add(ce, tf.mul(0.5 * l2, decay)) as tf.Tensor1D;
          }),
        dispose: () => tf.dispose([x, labels, start]),
      };
    },
  };
}

registerTaskKind({
  kind: 'twoLayerNet',
  options: taskOptions('twoLayerNet', {
    dimension: values.positiveInt,
    points: values.positiveInt,
    classes: values.positiveInt,
    /** One hidden layer: its size in a list, as for mnistMlp. */
    hidden: t.refinement(values.positiveInts, (h) => h.length === 1, 'one positive integer in a list (one hidden layer), e.g. [2]'),
  }),
  create: ({ hidden, ...o }, { id, gradientNoise }) => twoLayerNetTask({ ...o, hidden: hidden?.[0], id, gradientNoise }),
});
