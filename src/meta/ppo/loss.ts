/** The pieces of the PPO objective (Schulman et al. 2017). */
import tf from '#tfjs';

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** log N(a; μ, σ²) elementwise, σ = e^logStd. */
export function gaussianLogProb(action: tf.Tensor, mean: tf.Tensor, logStd: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const z = tf.div(tf.sub(action, mean), tf.exp(logStd));
    return tf.sub(tf.sub(tf.mul(-0.5, tf.square(z)), logStd), HALF_LOG_TWO_PI);
  });
}

/** Entropy of N(μ, σ²): log σ + ½ log(2πe). */
export function gaussianEntropy(logStd: tf.Tensor): tf.Tensor {
  return tf.add(logStd, HALF_LOG_TWO_PI + 0.5);
}

/**
 * The clipped surrogate, to be minimised: −mean(min(r·A, clip(r, 1−ε, 1+ε)·A)),
 * r = exp(log π_new − log π_old). `advantages` broadcasts against the log-probs.
 */
export function clippedSurrogateLoss(newLogProb: tf.Tensor, oldLogProb: tf.Tensor, advantages: tf.Tensor, clip: number): tf.Scalar {
  return tf.tidy(() => {
    const ratio = tf.exp(tf.sub(newLogProb, oldLogProb));
    const unclipped = tf.mul(ratio, advantages);
    const clipped = tf.mul(tf.clipByValue(ratio, 1 - clip, 1 + clip), advantages);
    return tf.neg(tf.mean(tf.minimum(unclipped, clipped))) as tf.Scalar;
  });
}
