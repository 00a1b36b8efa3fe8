/**
 * A tiny arithmetic interface so each landscape is written once and evaluated
 * both on tensors (training, batched over rows) and on numbers (contour maps).
 */
import tf from '#tfjs';

export interface Algebra<T> {
  add(a: T, b: T | number): T;
  sub(a: T | number, b: T | number): T;
  mul(a: T | number, b: T | number): T;
  square(a: T): T;
  cos(a: T): T;
}

export const numberAlgebra: Algebra<number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  square: (a) => a * a,
  cos: Math.cos,
};

export const tensorAlgebra: Algebra<tf.Tensor> = {
  add: (a, b) => tf.add(a, b),
  sub: (a, b) => tf.sub(a, b),
  mul: (a, b) => tf.mul(a, b),
  square: (a) => tf.square(a),
  cos: (a) => tf.cos(a),
};
