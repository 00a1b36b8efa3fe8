/**
 * The L2L paper's gradient preprocessing (Andrychowicz et al. 2016, appendix A):
 * each coordinate's gradient becomes two inputs,
 *   (log|∇|/p, sign ∇)  when |∇| ≥ e^(−p),   else   (−1, e^p·∇),
 * which keeps inputs of very different magnitudes in a range an LSTM can use.
 */
import tf from '#tfjs';

export function preprocessGradient(grad: tf.Tensor, p = 10): tf.Tensor2D {
  return tf.tidy(() => {
    const g = tf.reshape(grad, [-1, 1]);
    const threshold = Math.exp(-p);
    const large = tf.greaterEqual(tf.abs(g), threshold);
    // log of max(|g|, e^−p) keeps the unused branch finite, so second-order gradients stay NaN-free.
    const logPart = tf.div(tf.log(tf.maximum(tf.abs(g), threshold)), p);
    const first = tf.where(large, logPart, tf.fill(g.shape, -1));
    const second = tf.where(large, tf.sign(g), tf.mul(g, Math.exp(p)));
    return tf.concat([first, second], 1) as tf.Tensor2D;
  });
}
