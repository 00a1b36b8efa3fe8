/**
 * Li & Malik (2016), non-convex family: robust linear regression with the
 * Geman–McClure loss ρ(r) = r² / (c² + r²), on a random dataset of four Gaussian
 * clusters (25 points each, 3 features by default), each cluster with its own
 * random linear model y = wᵀx + b + noise — so no single line fits them all and
 * the robust loss has several basins.
 */
import tf from '#tfjs';
import { gaussianClusters } from './gaussianClusters.js';
import { linearOutputs } from './linearModel.js';
import type { Problem, Task } from './types.js';
import * as values from '../codec/values.js';
import { registerTaskKind, taskOptions } from './kinds.js';

export interface RobustLinearRegressionOptions {
  dimension?: number;
  /** Points per cluster (default 25). */
  points?: number;
  /** The scale c of the Geman–McClure loss (default 1). */
  scale?: number;
  id?: string;
  gradientNoise?: number;
}

const CLUSTERS = 4;

export function robustLinearRegressionTask(options: RobustLinearRegressionOptions = {}): Task {
  const d = options.dimension ?? 3;
  const perCluster = options.points ?? 25;
  const c2 = (options.scale ?? 1) ** 2;
  const n = CLUSTERS * perCluster;
  return {
    id: options.id ?? 'robust-linear-regression',
    dimension: d + 1,
    lossScale: 'log',
    ...(options.gradientNoise === undefined ? {} : { gradientNoise: options.gradientNoise }),
    instantiate(seeds): Problem {
      // Extra draws: per cluster a model (d weights + bias), then per point a noise value, then the start (d + 1).
      const extra = CLUSTERS * (d + 1) + n + d + 1;
      const sets = seeds.map((seed) => gaussianClusters(seed, { clusters: CLUSTERS, perCluster, dimension: d, spread: 1, extra }));
      const targets = sets.flatMap((s) =>
        Array.from(s.cluster, (cluster, i) => {
          const model = s.extra.subarray(cluster * (d + 1), (cluster + 1) * (d + 1));
          let y = model[d]!;
          for (let j = 0; j < d; j++) y += model[j]! * s.x[i * d + j]!;
          return y + 0.1 * s.extra[CLUSTERS * (d + 1) + i]!;
        }),
      );
      const x = tf.tensor3d(sets.flatMap((s) => Array.from(s.x)), [seeds.length, n, d]);
      const y = tf.tensor2d(targets, [seeds.length, n]);
      const start = tf.tensor2d(sets.flatMap((s) => Array.from(s.extra.subarray(CLUSTERS * (d + 1) + n))), [seeds.length, d + 1]);
      return {
        seeds,
        start,
        loss: (theta) =>
          tf.tidy(() => {
            const r2 = tf.square(tf.sub(y, linearOutputs(x, theta).outputs));
            return tf.mean(tf.div(r2, tf.add(r2, c2)), 1) as tf.Tensor1D;
          }),
        dispose: () => tf.dispose([x, y, start]),
      };
    },
  };
}

registerTaskKind({
  kind: 'robustLinearRegression',
  options: taskOptions('robustLinearRegression', { dimension: values.positiveInt, points: values.positiveInt }),
  create: (o, { id, gradientNoise }) => robustLinearRegressionTask({ ...o, id, gradientNoise }),
});
