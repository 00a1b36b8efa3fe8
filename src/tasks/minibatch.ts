/** Minibatch sampling shared by the image tasks: every (seed, step) draws its own batch, reproducibly. */
import { hashSeed, rng } from '../random.js';

export interface ExamplePool {
  /** Flat pixels, `pixels` numbers per example. */
  images: Float32Array;
  labels: Uint8Array;
  pixels: number;
  /** Examples drawn from are the first `count` (the training split). */
  count: number;
  classes: number;
}

/**
 * Writes the batch of (seed, step) — `batchSize` examples drawn uniformly with
 * replacement — into `images`/`oneHot` at example offset `at`. `salt` keeps the
 * streams of different tasks apart (and their recorded results reproducible).
 */
export function drawMinibatch(pool: ExamplePool, batchSize: number, seed: number, step: number, salt: number, out: { images: Float32Array; oneHot: Float32Array; at: number }): void {
  const indices = minibatchIndices(pool.count, batchSize, seed, step, salt);
  for (let j = 0; j < batchSize; j++) {
    const index = indices[j]!;
    out.images.set(pool.images.subarray(index * pool.pixels, (index + 1) * pool.pixels), (out.at + j) * pool.pixels);
    out.oneHot[(out.at + j) * pool.classes + pool.labels[index]!] = 1;
  }
}

/** Which of `count` examples the batch of (seed, step) holds: `batchSize` drawn uniformly with replacement. */
export function minibatchIndices(count: number, batchSize: number, seed: number, step: number, salt: number): Int32Array {
  const random = rng(hashSeed(seed, step, salt));
  return Int32Array.from({ length: batchSize }, () => Math.floor(random() * count));
}
