/**
 * Identity in the forward pass, zero gradient in the backward pass. Used for the
 * L2L paper's first-order assumption (∂∇θ/∂φ = 0): the optimizee's gradient is
 * treated as an input, so meta-gradients need no second derivatives.
 */
import tf from '#tfjs';

export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({ value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as never) as unknown as <
  T extends tf.Tensor,
>(
  x: T,
) => T;
