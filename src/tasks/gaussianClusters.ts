/**
 * Random synthetic datasets for Li & Malik's task families: points drawn from a
 * few multivariate Gaussians, each with a random mean and a random covariance
 * (x = μ + A·z with A's entries i.i.d. normal / √d). Drawn from the seed alone,
 * so the same seed gives the same dataset however runs are batched.
 */
import { normals, rng } from '../random.js';

export interface ClusterData {
  /** Points, row-major [n, dimension]. */
  x: Float32Array;
  /** Cluster index of each point. */
  cluster: Int32Array;
  /** What else the generator drew (per-cluster linear models, the start…), in draw order. */
  extra: Float32Array;
}

/**
 * `clusters` Gaussians of `perCluster` points each in `dimension` dimensions;
 * `spread` scales the means' distances apart. `extra` more standard normals are
 * drawn after the points (for labels' models and starting parameters).
 */
export function gaussianClusters(seed: number, options: { clusters: number; perCluster: number; dimension: number; spread: number; extra: number }): ClusterData {
  const { clusters, perCluster, dimension: d, spread } = options;
  const random = rng(seed);
  const n = clusters * perCluster;
  const x = new Float32Array(n * d);
  const cluster = new Int32Array(n);
  for (let c = 0; c < clusters; c++) {
    const mean = normals(random, d).map((v) => v * spread);
    const a = normals(random, d * d).map((v) => v / Math.sqrt(d));
    for (let i = 0; i < perCluster; i++) {
      const z = normals(random, d);
      const row = c * perCluster + i;
      cluster[row] = c;
      for (let j = 0; j < d; j++) {
        let v = mean[j]!;
        for (let k = 0; k < d; k++) v += a[j * d + k]! * z[k]!;
        x[row * d + j] = v;
      }
    }
  }
  return { x, cluster, extra: normals(random, options.extra) };
}
