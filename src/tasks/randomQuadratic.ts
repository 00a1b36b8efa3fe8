/**
 * The L2L paper's family of random quadratics f(θ) = ‖Wθ − y‖² (Andrychowicz et
 * al. 2016, §3.1): W, y and the start θ₀ have i.i.d. standard normal entries,
 * drawn from the seed.
 */
import tf from '#tfjs';
import { normals, rng } from '../random.js';
import type { Problem, Task } from './types.js';
import { options } from '../codec/strict.js';
import * as values from '../codec/values.js';
import { registerTaskKind } from './kinds.js';

export function randomQuadraticTask(options: { dimension?: number; gradientNoise?: number; id?: string } = {}): Task {
  const n = options.dimension ?? 10;
  return {
    id: options.id ?? `quadratic${n}d`,
    dimension: n,
    // A square Gaussian W is invertible with probability 1, so min ‖Wθ − y‖² = 0.
    optimum: 0,
    threshold: 1e-4,
    lossScale: 'log',
    ...(options.gradientNoise === undefined ? {} : { gradientNoise: options.gradientNoise }),
    instantiate(seeds): Problem {
      const instances = seeds.map((seed) => normals(rng(seed), n * n + 2 * n));
      const pick = (offset: number, size: number) => instances.flatMap((v) => Array.from(v.subarray(offset, offset + size)));
      const w = tf.tensor3d(pick(0, n * n), [seeds.length, n, n]);
      const y = tf.tensor2d(pick(n * n, n), [seeds.length, n]);
      const start = tf.tensor2d(pick(n * n + n, n), [seeds.length, n]);
      return {
        seeds,
        start,
        loss: (theta) =>
          tf.tidy(() => {
            const residual = tf.sub(tf.matMul(w, theta.expandDims(2)).squeeze([2]), y);
            return tf.sum(tf.square(residual), 1) as tf.Tensor1D;
          }),
        dispose: () => tf.dispose([w, y, start]),
      };
    },
  };
}

registerTaskKind({
  kind: 'randomQuadratic',
  options: options('randomQuadratic options', { dimension: values.positiveInt }, { dimension: 10 }),
  create: (o, { id, gradientNoise }) => randomQuadraticTask({ ...o, id, gradientNoise }),
});
