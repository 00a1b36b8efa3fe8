/**
 * Hand-designed 2-D landscapes: each with a fixed start (seed 0) and seeded
 * random starts (seeds ≥ 1, uniform in a box around the fixed start).
 */
import tf from '#tfjs';
import { rng } from '../random.js';
import { numberAlgebra, tensorAlgebra, type Algebra } from './algebra.js';
import type { LandscapeView, Problem, Task } from './types.js';
import { options } from '../codec/strict.js';
import { registerTaskKind } from './kinds.js';

export interface Landscape {
  id: string;
  description: string;
  f<T>(x: T, y: T, m: Algebra<T>): T;
  start: [number, number];
  /** Half-widths of the box random starts are drawn from, around `start`. */
  spread: [number, number];
  bounds: { x: [number, number]; y: [number, number] };
  optimum?: number;
  minima?: Array<[number, number]>;
  threshold?: number;
}

const SQRT1_2 = Math.SQRT1_2;

export const LANDSCAPES: Landscape[] = [
  {
    id: 'quadratic',
    description: 'convex quadratic ½(x² + y²)',
    f: (x, y, m) => m.mul(0.5, m.add(m.square(x), m.square(y))),
    start: [-1.5, 1.2],
    spread: [0.5, 0.5],
    bounds: { x: [-2, 2], y: [-2, 2] },
    optimum: 0,
    minima: [[0, 0]],
    threshold: 1e-6,
  },
  {
    id: 'ill-conditioned',
    description: 'ill-conditioned quadratic ½(x² + 100y²), κ = 100',
    f: (x, y, m) => m.mul(0.5, m.add(m.square(x), m.mul(100, m.square(y)))),
    start: [-1.5, 1.0],
    spread: [0.5, 0.4],
    bounds: { x: [-2, 2], y: [-1.5, 1.5] },
    optimum: 0,
    minima: [[0, 0]],
    threshold: 1e-6,
  },
  {
    id: 'rotated',
    description: 'quadratic ½(u² + 20v²) rotated by 45° (u, v = (x ± y)/√2), κ = 20',
    f: (x, y, m) => {
      const u = m.mul(SQRT1_2, m.add(x, y));
      const v = m.mul(SQRT1_2, m.sub(y, x));
      return m.mul(0.5, m.add(m.square(u), m.mul(20, m.square(v))));
    },
    start: [-1.5, 0.5],
    spread: [0.4, 0.4],
    bounds: { x: [-2, 2], y: [-2, 2] },
    optimum: 0,
    minima: [[0, 0]],
    threshold: 1e-6,
  },
  {
    id: 'rosenbrock',
    description: 'Rosenbrock (1 − x)² + 100(y − x²)²',
    f: (x, y, m) => m.add(m.square(m.sub(1, x)), m.mul(100, m.square(m.sub(y, m.square(x))))),
    start: [-1.2, 1.0],
    spread: [0.5, 0.5],
    bounds: { x: [-2, 2], y: [-1, 3] },
    optimum: 0,
    minima: [[1, 1]],
    threshold: 1e-4,
  },
  {
    id: 'beale',
    description: 'Beale (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²',
    f: (x, y, m) => {
      const xy = m.mul(x, y);
      const xy2 = m.mul(xy, y);
      const xy3 = m.mul(xy2, y);
      return m.add(m.add(m.square(m.add(m.sub(1.5, x), xy)), m.square(m.add(m.sub(2.25, x), xy2))), m.square(m.add(m.sub(2.625, x), xy3)));
    },
    start: [1.0, 1.5],
    spread: [0.5, 0.3],
    bounds: { x: [-1, 4.5], y: [-1.5, 2.5] },
    optimum: 0,
    minima: [[3, 0.5]],
    threshold: 1e-4,
  },
  {
    id: 'himmelblau',
    description: 'Himmelblau (x² + y − 11)² + (x + y² − 7)², four global minima',
    f: (x, y, m) => m.add(m.square(m.sub(m.add(m.square(x), y), 11)), m.square(m.sub(m.add(x, m.square(y)), 7))),
    start: [0, 0],
    spread: [2, 2],
    bounds: { x: [-5, 5], y: [-5, 5] },
    optimum: 0,
    minima: [
      [3, 2],
      [-2.805118, 3.131312],
      [-3.77931, -3.283186],
      [3.584428, -1.848126],
    ],
    threshold: 1e-4,
  },
  {
    id: 'rastrigin',
    description: 'Rastrigin 20 + Σ (x² − 10 cos 2πx), many local minima',
    f: (x, y, m) =>
      m.add(m.add(m.sub(m.square(x), m.mul(10, m.cos(m.mul(2 * Math.PI, x)))), m.sub(m.square(y), m.mul(10, m.cos(m.mul(2 * Math.PI, y))))), 20),
    start: [2.2, -1.6],
    spread: [1, 1],
    bounds: { x: [-3, 3], y: [-3, 3] },
    optimum: 0,
    minima: [[0, 0]],
    threshold: 1e-4,
  },
  {
    id: 'saddle',
    description: 'saddle x² − y² (unbounded below; threshold −1 = escaped the saddle)',
    f: (x, y, m) => m.sub(m.square(x), m.square(y)),
    start: [-1.5, 1e-3],
    spread: [0.5, 0.01],
    bounds: { x: [-2, 2], y: [-2, 2] },
    threshold: -1,
  },
];

export function landscapeStart(landscape: Landscape, seed: number): [number, number] {
  if (seed === 0) return landscape.start;
  const random = rng(seed);
  return [landscape.start[0] + landscape.spread[0] * (2 * random() - 1), landscape.start[1] + landscape.spread[1] * (2 * random() - 1)];
}

export function landscapeTask(landscape: Landscape, options: { gradientNoise?: number; id?: string } = {}): Task {
  const view: LandscapeView = {
    bounds: landscape.bounds,
    f: (x, y) => landscape.f(x, y, numberAlgebra),
    ...(landscape.optimum === undefined ? {} : { optimum: landscape.optimum }),
    ...(landscape.minima === undefined ? {} : { minima: landscape.minima }),
  };
  return {
    id: options.id ?? landscape.id,
    dimension: 2,
    lossScale: landscape.optimum === undefined ? 'symlog' : 'log',
    landscape: view,
    ...(landscape.optimum === undefined ? {} : { optimum: landscape.optimum }),
    ...(landscape.threshold === undefined ? {} : { threshold: landscape.threshold }),
    ...(options.gradientNoise === undefined ? {} : { gradientNoise: options.gradientNoise }),
    instantiate(seeds): Problem {
      const start = tf.tensor2d(seeds.flatMap((s) => landscapeStart(landscape, s)), [seeds.length, 2]);
      return {
        seeds,
        start,
        loss: (theta) =>
          tf.tidy(() => {
            const [x, y] = tf.split(theta, 2, 1) as [tf.Tensor, tf.Tensor];
            return landscape.f(x, y, tensorAlgebra).reshape([-1]) as tf.Tensor1D;
          }),
        dispose: () => start.dispose(),
      };
    },
  };
}

/** Every landscape is a task kind of its own, with no options. */
const NO_OPTIONS = options('no options', {}, {}, { unknownKey: () => 'a landscape takes no options' });
for (const landscape of LANDSCAPES) registerTaskKind({ kind: landscape.id, options: NO_OPTIONS, create: (_, { id, gradientNoise }) => landscapeTask(landscape, { id, gradientNoise }) });
