/**
 * Li & Malik (2016), convex family: ℓ2-regularised logistic regression on a random
 * dataset of two Gaussian classes (50 points each, 3 features by default, with
 * random means and covariances). Parameters: weights then bias; the start is
 * drawn from the seed.
 */
import tf from '#tfjs';
import { gaussianClusters } from './gaussianClusters.js';
import { linearOutputs } from './linearModel.js';
import type { Problem, Task } from './types.js';
import * as values from '../codec/values.js';
import { registerTaskKind, taskOptions } from './kinds.js';

export interface LogisticRegressionOptions {
  /** Number of features (default 3). */
  dimension?: number;
  /** Points per class (default 50). */
  points?: number;
  /** ℓ2 coefficient λ of (λ/2)‖w‖² (default 0.0005, as Li & Malik). */
  l2?: number;
  id?: string;
  gradientNoise?: number;
}

export function logisticRegressionTask(options: LogisticRegressionOptions = {}): Task {
  const d = options.dimension ?? 3;
  const perClass = options.points ?? 50;
  const l2 = options.l2 ?? 0.0005;
  const n = 2 * perClass;
  return {
    id: options.id ?? 'logistic-regression',
    dimension: d + 1,
    lossScale: 'log',
    ...(options.gradientNoise === undefined ? {} : { gradientNoise: options.gradientNoise }),
    instantiate(seeds): Problem {
      const data = seeds.map((seed) => gaussianClusters(seed, { clusters: 2, perCluster: perClass, dimension: d, spread: 1, extra: d + 1 }));
      const x = tf.tensor3d(data.flatMap((s) => Array.from(s.x)), [seeds.length, n, d]);
      const y = tf.tensor2d(data.flatMap((s) => Array.from(s.cluster)), [seeds.length, n]);
      const start = tf.tensor2d(data.flatMap((s) => Array.from(s.extra)), [seeds.length, d + 1]);
      return {
        seeds,
        start,
        loss: (theta) =>
          tf.tidy(() => {
            const { outputs: logits, weights: w } = linearOutputs(x, theta);
            // Cross-entropy with logits, written stably: softplus(z) − y·z.
            const ce = tf.mean(tf.sub(tf.softplus(logits), tf.mul(y, logits)), 1);
            return tf.add(ce, tf.mul(0.5 * l2, tf.sum(tf.square(w), 1))) as tf.Tensor1D;
          }),
        dispose: () => tf.dispose([x, y, start]),
      };
    },
  };
}

registerTaskKind({
  kind: 'logisticRegression',
  options: taskOptions('logisticRegression', { dimension: values.positiveInt, points: values.positiveInt }),
  create: (o, { id, gradientNoise }) => logisticRegressionTask({ ...o, id, gradientNoise }),
});
