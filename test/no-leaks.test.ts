import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/index.js';
import { mnistCnn, mnistMlp, randomBatch, trainingStep } from '../src/models/index.js';

/** Tensor count after the first step (Adam creates its slots then) must not move for `steps` more. */
async function tensorCountsOverSteps(build: () => tf.LayersModel, inputShape: number[], batchSize: number, steps: number): Promise<number[]> {
  const model = build();
  const optimizer = tf.train.adam(1e-3);
  const batch = randomBatch(inputShape, batchSize, 10, 1);
  await trainingStep(model, optimizer, batch);
  const counts: number[] = [];
  for (let i = 0; i < steps; i++) {
    await trainingStep(model, optimizer, batch);
    counts.push(tf.memory().numTensors);
  }
  model.dispose();
  optimizer.dispose();
  tf.dispose([batch.x, batch.y]);
  return counts;
}

test.serial('100 CNN training steps on wasm leak no tensors', async (t) => {
  await setupBackend('wasm');
  const before = tf.memory().numTensors;
  const counts = await tensorCountsOverSteps(() => mnistCnn({ seed: 2 }), [28, 28, 1], 4, 100);
  t.is(new Set(counts).size, 1, `tensor counts varied: ${[...new Set(counts)].join(', ')}`);
  t.is(tf.memory().numTensors, before, 'disposing the model, optimizer and batch frees everything');
});

test.serial('100 MLP training steps on cpu leak no tensors', async (t) => {
  await setupBackend('cpu');
  const counts = await tensorCountsOverSteps(() => mnistMlp({ seed: 2 }), [784], 32, 100);
  t.is(new Set(counts).size, 1);
});

test.serial('wasm kernel intermediates are freed: the backend holds no more buffers after 20 CNN steps', async (t) => {
  await setupBackend('wasm');
  const model = mnistCnn({ seed: 3 });
  const optimizer = tf.train.adam(1e-3);
  const batch = randomBatch([28, 28, 1], 4, 10, 2);
  await trainingStep(model, optimizer, batch);
  // Composite kernels allocate buffers outside the engine's bookkeeping; the
  // backend's own count of live buffers catches any they forget to free.
  const buffers: number[] = [];
  for (let i = 0; i < 20; i++) {
    await trainingStep(model, optimizer, batch);
    buffers.push(tf.backend().numDataIds());
  }
  t.is(new Set(buffers).size, 1, `live wasm buffers varied: ${[...new Set(buffers)].join(', ')}`);
  model.dispose();
  optimizer.dispose();
  tf.dispose([batch.x, batch.y]);
});
