/**
 * The MLP training step as the MNIST MLP task takes it: flat parameters θ [1, D], the dense stack's written-out
 * loss-and-gradient (src/tasks/denseStack.ts), one rules.adam step, no tfjs-layers. The same math as PyTorch's
 * `mlp` workload (nn.Sequential, cross-entropy, Adam, loss.item()).
 */
import { tf, rules } from '../src/index.js';
import { applyUpdates, type StateTree } from '../src/rules/index.js';
import { randomBatch } from '../src/models/index.js';
import { DenseStack } from '../src/tasks/denseStack.js';
import { initMlp } from '../src/tasks/mlpInit.js';
import { rng } from '../src/random.js';
import type { BenchCase } from './cases.js';

/** `gradient: 'taped'` takes tf.grad of the same loss instead (the task's step before the gradient was written out). */
/** `rows`: networks trained side by side as rows of θ [rows, D], each on its own minibatch (as a suite's runs). */
export function denseMlpCase(id: string, title: string, options: { gradient?: 'written' | 'taped'; sizes?: number[]; batchSize?: number; rows?: number } = {}): BenchCase {
  const { gradient = 'written', sizes = [784, 20, 10], batchSize = 128, rows = 1 } = options;
  let held: { theta: tf.Tensor2D; state: StateTree; x: tf.Tensor3D; y: tf.Tensor3D } | undefined;
  return {
    id,
    title,
    async prepare() {
      const net = new DenseStack(sizes, 'sigmoid');
      const initial = new Float32Array(rows * net.dimension);
      const random = rng(1);
      for (let r = 0; r < rows; r++) initMlp('glorot', net.layers, random, initial, r * net.dimension);
      const theta = tf.tensor2d(initial, [rows, net.dimension]);
      const rule = rules.adam({ learningRate: 1e-3 });
      const batch = randomBatch([sizes[0]!], rows * batchSize, sizes[sizes.length - 1]!, 3);
      const [x, y] = [tf.reshape(batch.x, [rows, batchSize, sizes[0]!]) as tf.Tensor3D, tf.reshape(batch.y, [rows, batchSize, sizes[sizes.length - 1]!]) as tf.Tensor3D];
      tf.dispose([batch.x, batch.y]);
      const h = { theta, state: rule.init([theta]), x, y };
      held = h;
      let step = 0;
      const run = async () => {
        const next = tf.tidy(() => {
          const { rows, grad } = gradient === 'written' ? net.lossAndGrad(h.theta, h.x, h.y) : taped(net, h.theta, h.x, h.y);
          const out = rule.update({ grads: [grad], params: [h.theta], loss: rows, step }, h.state);
          return { theta: applyUpdates([h.theta], out.updates)[0] as tf.Tensor2D, state: out.state, loss: rows };
        });
        tf.dispose([h.theta, h.state]);
        [h.theta, h.state] = [next.theta, next.state];
        step += 1;
        await next.loss.data();
        next.loss.dispose();
      };
      await run(); // warm-up
      return run;
    },
    dispose() {
      if (held !== undefined) tf.dispose([held.theta, held.state, held.x, held.y]);
    },
  };
}

function taped(net: DenseStack, theta: tf.Tensor2D, x: tf.Tensor3D, y: tf.Tensor3D): { rows: tf.Tensor1D; grad: tf.Tensor2D } {
  const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => tf.sum(net.loss(p as tf.Tensor2D, x, y)) as tf.Scalar)(theta);
  // The rows' summed loss stands in for the rows (Adam does not read it).
  return { rows: tf.reshape(value, [1]) as tf.Tensor1D, grad: grad as tf.Tensor2D };
}
