/**
 * Child of test/wasm-threads.test.ts: starts the wasm backend with the thread count given as its
 * argument, runs one training step of a small CNN through AlphaOpt's wasm kernels (Conv2D and its two
 * backprops, MaxPoolGrad, BatchMatMul, Tanh, leading-axis Sum, fused batch norm, fused Adam), and prints one JSON line.
 * It does not call process.exit: whether it ends by itself is part of what the test checks.
 */
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.js';
import { FUSED_ADAM_KERNEL } from '../../src/backend/fusedKernels.js';
import { seededValues } from './compare.js';
import { batchNorm } from '../../src/tasks/batchNorm.js';

const threads = Number(process.argv[2]);
const choice = await setupBackend('wasm', { threads });
const wasm = await import('@tensorflow/tfjs-backend-wasm');

const tensor = (shape: number[], seed: number) => tf.tensor(seededValues(shape.reduce((p, d) => p * d, 1), seed), shape);
const x = tensor([8, 12, 12, 3], 1) as tf.Tensor4D;
const filter = tensor([5, 5, 3, 16], 2) as tf.Tensor4D;
const dense = tensor([6 * 6 * 16, 10], 3) as tf.Tensor2D;
const gamma = tf.add(tensor([16], 4), 1.5);
const beta = tensor([16], 5);
const loss = (f: tf.Tensor4D, d: tf.Tensor2D) =>
  tf.tidy(() => {
    const features = tf.maxPool(tf.tanh(batchNorm(tf.conv2d(x, f, 1, 'same'), gamma, beta)) as tf.Tensor4D, 2, 2, 'valid').reshape([8, -1]) as tf.Tensor2D;
    return tf.matMul(features, d).square().sum(0).mean() as tf.Scalar;
  });
const value = loss(filter, dense);
const grads = tf.grads((f, d) => loss(f as tf.Tensor4D, d as tf.Tensor2D))([filter, dense]);
const gradient = grads[0]!;
const zeros = tf.zerosLike(gradient);
const adam = tf.engine().runKernel(FUSED_ADAM_KERNEL, { grad: gradient, mu: zeros, nu: zeros }, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, c1: 0.1, c2: 0.001, scale: -0.01 }) as tf.Tensor[];
const results = {
  threads: wasm.getThreadsCount(),
  detail: choice.detail,
  loss: (await value.data())[0],
  gradients: await Promise.all(grads.map(async (g) => Array.from(await g.data()))),
  adamUpdate: Array.from(await adam[2]!.data()),
};
console.log(JSON.stringify(results));
