/**
 * One supervised training step (softmax cross-entropy) used by benchmarks and the
 * backend probe. Async: the loss is read with `await data()`, never `dataSync()`,
 * so it works on WebGPU in Node.
 */
import tf from '#tfjs';

export interface Batch {
  x: tf.Tensor;
  /** One-hot labels. */
  y: tf.Tensor;
}

export async function trainingStep(model: tf.LayersModel, optimizer: tf.Optimizer, batch: Batch): Promise<number> {
  const loss = optimizer.minimize(
    () => tf.losses.softmaxCrossEntropy(batch.y, model.apply(batch.x, { training: true }) as tf.Tensor) as tf.Scalar,
    true,
  );
  if (loss === null) throw new Error('optimizer.minimize returned no loss');
  const [value] = await loss.data();
  loss.dispose();
  return value as number;
}

/** A random batch with the given input shape and `classes` one-hot labels, seeded. */
export function randomBatch(inputShape: number[], batchSize: number, classes: number, seed = 0): Batch {
  return tf.tidy(() => {
    const x = tf.randomUniform([batchSize, ...inputShape], 0, 1, 'float32', seed);
    const labels = tf.randomUniform([batchSize], 0, classes, 'float32', seed + 1).floor().toInt();
    return { x, y: tf.oneHot(labels, classes).toFloat() };
  });
}
