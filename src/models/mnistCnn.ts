/**
 * The reference CNN of the benchmarks and the backend probe (TensorFlow's "Deep
 * MNIST" network): conv5×5×32 → maxpool2 → conv5×5×64 → maxpool2 → dense 512 → dense 10.
 */
import tf from '#tfjs';

export function mnistCnn(options: { seed?: number } = {}): tf.Sequential {
  const seed = options.seed ?? 0;
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: seed + offset });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 512, activation: 'relu', kernelInitializer: init(3) }),
      tf.layers.dense({ units: 10, kernelInitializer: init(4) }),
    ],
  });
}

/** The L2L paper's MNIST optimizee: 784 → 20 sigmoid → 10. */
export function mnistMlp(options: { seed?: number; hidden?: number } = {}): tf.Sequential {
  const seed = options.seed ?? 0;
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: options.hidden ?? 20, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
      tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }),
    ],
  });
}
