import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.js';
import type { ConcreteBackend } from '../../src/backend/names.js';

/** Max absolute difference divided by the reference's largest magnitude. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  return diff / Math.max(scale, 1e-12);
}

/** Runs `compute` on a backend and returns its outputs as plain arrays (no tensor escapes). */
export async function computeOn(backend: ConcreteBackend, compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await setupBackend(backend);
  const outputs = compute();
  const values = await Promise.all(outputs.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(outputs);
  return values;
}

/** Deterministic pseudo-random values in [-1, 1) (no tfjs RNG, so identical on every backend). */
export function seededValues(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = (state / 2 ** 32) * 2 - 1;
  }
  return out;
}
