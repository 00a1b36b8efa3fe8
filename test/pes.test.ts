/**
 * Issue #18: persistent evolution strategies (PES) beside truncated BPTT and ES. On a quadratic with SGD at a
 * learned learning rate φ, the gradient of the second truncation's meta-loss through the WHOLE unroll is known in
 * closed form and computed exactly by full (second-order) BPTT; PES's estimate, from particles that carried their
 * own states across the first truncation, agrees with it; truncated ES, which restarts every perturbed unroll
 * from the unperturbed state, does not (its bias). And PES meta-trains through the shared loop without leaks.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { LstmOptimizer } from '../src/learned/index.js';
import { bpttEstimator } from '../src/meta/bptt/bptt.js';
import { decodeMetaTrainConfig } from '../src/meta/config.js';
import { metaTrain } from '../src/meta/metaTrain.js';
import { esEstimator } from '../src/meta/es/es.js';
import { pesEstimator } from '../src/meta/pes/pes.js';
import { treeTensors, type UpdateRule } from '../src/rules/index.js';
import { normals, rng } from '../src/random.js';
import { familyOf, randomQuadraticTask, type Task } from '../src/tasks/index.js';

test.before(async () => {
  await setupBackend('cpu');
});

const CURVATURE = [0.5, 1, 2];

/** f(θ) = ½ Σ aᵢ θᵢ², no noise; θ₀ ~ N(0, I) from the seed. */
function quadratic(): Task {
  return {
    id: 'pes-quadratic',
    dimension: CURVATURE.length,
    lossScale: 'log',
    instantiate(seeds) {
      const start = tf.tensor2d(seeds.flatMap((s) => Array.from(normals(rng(s), CURVATURE.length))), [seeds.length, CURVATURE.length]);
      const a = tf.tensor1d(CURVATURE);
      return { seeds, start, loss: (theta) => tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(a, tf.square(theta)), 1)) as tf.Tensor1D), dispose: () => tf.dispose([start, a]) };
    },
  };
}

/** SGD whose learning rate is the meta-parameter φ. */
function learnedSgd(phi: tf.Variable): UpdateRule {
  return { init: () => ({}), update: ({ grads }) => ({ updates: grads.map((g) => tf.mul(g, tf.neg(phi))), state: {} }) };
}

/** d/dφ of the mean over rows and over steps s ∈ (from, to] of ½ Σ aᵢ (1 − φaᵢ)^{2s} θ₀ᵢ², in closed form. */
function exactGradient(phi: number, starts: number[][], from: number, to: number): number {
  let total = 0;
  for (const theta0 of starts) {
    for (let s = from + 1; s <= to; s++) {
      CURVATURE.forEach((a, i) => {
        total += 0.5 * a * theta0[i]! ** 2 * 2 * s * (1 - phi * a) ** (2 * s - 1) * -a;
      });
    }
  }
  return total / (starts.length * (to - from));
}

test.serial("PES agrees with full BPTT on the second truncation's meta-gradient; truncated ES is biased", async (t) => {
  const task = quadratic();
  const seeds = [11, 12];
  const problem = task.instantiate(seeds);
  const phi = tf.variable(tf.scalar(0.3), true, 'pes-test/phi');
  const variables = [phi];
  const rule = learnedSgd(phi);
  const unroll = 3;
  const base = { unroll, horizon: 6, sigma: 0.01, pairs: 400, seed: 3 };
  const start = { theta: problem.start, state: rule.init([problem.start]), step: 0 };
  const starts = (await problem.start.array()) as number[][];
  const exact = exactGradient(0.3, starts, unroll, 2 * unroll);

  // Full BPTT from step 0, second order: the gradient of the second truncation's mean loss is (6·g₆ − 3·g₃)/3.
  const bpttOver = async (steps: number) => {
    const e = await bpttEstimator.estimate({ rule, problem, task, seeds, from: start, variables, config: decodeMetaTrainConfig({ ...base, unroll: steps, firstOrder: false }), iteration: 1 });
    const g = (await e.grads[0]!.data())[0]!;
    tf.dispose([...e.grads, e.carried.theta, ...treeTensors(e.carried.state)]);
    return g;
  };
  const bptt = (2 * unroll * (await bpttOver(2 * unroll)) - unroll * (await bpttOver(unroll))) / unroll;

  const before = tf.memory().numTensors;
  const secondTruncation = async (estimator: typeof esEstimator, method: 'es' | 'pes') => {
    const config = decodeMetaTrainConfig({ ...base, method });
    const first = await estimator.estimate({ rule, problem, task, seeds, from: start, variables, config, iteration: 1 });
    tf.dispose(first.grads);
    const second = await estimator.estimate({ rule, problem, task, seeds, from: { ...first.carried, step: unroll }, variables, config, iteration: 2 });
    const g = (await second.grads[0]!.data())[0]!;
    tf.dispose([...second.grads, first.carried.theta, ...treeTensors(first.carried.state), second.carried.theta, ...treeTensors(second.carried.state)]);
    return g;
  };
  const pes = pesEstimator();
  const started = performance.now();
  const pesGradient = await secondTruncation(pes, 'pes');
  const pesMs = performance.now() - started;
  pes.dispose();
  const esGradient = await secondTruncation(esEstimator, 'es');
  t.is(tf.memory().numTensors, before, 'PES released its particles');
  t.log(`d(truncation-2 meta-loss)/dφ: exact ${exact.toPrecision(4)}, full BPTT ${bptt.toPrecision(4)}, PES (400 particles, ${pesMs.toFixed(0)} ms) ${pesGradient.toPrecision(4)}, truncated ES ${esGradient.toPrecision(4)}`);
  t.true(Math.abs(bptt - exact) < 1e-3 * Math.abs(exact), 'full BPTT is exact here');
  t.true(Math.abs(pesGradient - bptt) < 0.15 * Math.abs(bptt), 'PES agrees with BPTT');
  t.true(Math.abs(esGradient - bptt) > 0.3 * Math.abs(bptt), 'truncated ES misses the dependence on the earlier truncation');
  tf.dispose([phi]);
  problem.dispose();
});

test.serial('PES meta-trains an LSTM optimizer through the shared truncated loop: finite meta-losses, validations on schedule, no leaks', async (t) => {
  const optimizer = new LstmOptimizer({ hidden: 6, outputScale: 0.1, preprocessP: 10 });
  const before = tf.memory().numTensors;
  const report = await metaTrain(optimizer, familyOf(randomQuadraticTask({ dimension: 4 })), {
    method: 'pes', iterations: 16, unroll: 5, horizon: 20, tasksPerIteration: 4, metaLearningRate: 0.01, clipNorm: 1, pairs: 4, sigma: 0.01, validateEvery: 8, validationTasks: 4,
  });
  t.is(tf.memory().numTensors, before, 'no tensors leaked');
  t.regex(report.method, /^PES/);
  t.is(report.curve.length, 16);
  t.true(report.curve.every((p) => Number.isFinite(p.metaLoss)));
  t.deepEqual(report.validation.map((v) => v.iteration), [0, 8, 16]);
  t.log(`held-out meta-loss ${report.validation.map((v) => v.loss.toPrecision(4)).join(' → ')} in ${(report.wallMs / 1000).toFixed(1)} s`);
  optimizer.dispose();
});
