/** Gaussian gradient noise for noisy-gradient task variants, seeded per (run seed, step). */
import tf from '#tfjs';
import { hashSeed, normals, rng } from '../random.js';

export function gradientNoise(seeds: readonly number[], step: number, dimension: number, sigma: number): tf.Tensor2D {
  const values = new Float32Array(seeds.length * dimension);
  seeds.forEach((seed, row) => {
    const z = normals(rng(hashSeed(seed, step, 0x9e3779b9)), dimension);
    for (let i = 0; i < dimension; i++) values[row * dimension + i] = sigma * (z[i] as number);
  });
  return tf.tensor2d(values, [seeds.length, dimension]);
}
