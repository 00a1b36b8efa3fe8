/**
 * Kernels and CPU time per MLP training step (784-20-10 sigmoid, batch 128, rules.adam), by way of computing the
 * gradient: through tfjs-layers (model + optimizer.minimize), tf.grad of the flat-parameter loss (the MNIST MLP
 * task's step before its gradient was written out), and the dense stack's written-out gradient (the task's step now).
 *
 *   npm run bench:build && node dist-bench/bench/mlp-step-cost.js [--backend wasm] [--steps 2000] [--rows 1]   (flags: harness.ts)
 *
 * `--rows R` trains R networks side by side as rows of θ [R, D], each on its own minibatch, as a suite's runs
 * are (the flat-θ ways only; the layers model is one network).
 *
 * Kernels: tf.profile of one step. CPU: process.cpuUsage (user + system) over blocks of steps, the median block per
 * step — CPU time the process itself spends, so less sensitive than wall time to other processes on a loaded machine.
 * Writes nothing.
 */
import os from 'node:os';
import { tf, rules, toTfjsOptimizer } from '../src/index.js';
import { atLeast, positiveInt, startBench } from './harness.js';
import { mnistMlp } from '../src/models/index.js';
import { trainingCase, type BenchCase } from './cases.js';
import { denseMlpCase } from './denseMlp.js';

const { options } = await startBench<{ steps: number; rows: number }>({
  name: 'mlp-step-cost',
  description: 'kernels and CPU time per MLP training step, by way of computing the gradient',
  backends: ['wasm', 'cpu', 'webgpu', 'tensorflow', 'auto'],
  writesResults: false,
  flags: (c) =>
    c
      .option('--steps <n>', 'steps per way (at least 10)', atLeast('--steps', 10), 2000)
      .option('--rows <n>', 'networks trained side by side as rows of θ', positiveInt('--rows'), 1),
});
const { steps, rows } = options;

const alphaOptAdam = () => toTfjsOptimizer(rules.adam({ learningRate: 1e-3 }));
const cases: BenchCase[] = [
  ...(rows === 1 ? [trainingCase('layers', 'tfjs-layers model, optimizer.minimize', () => mnistMlp({ seed: 1 }), [784], 128, alphaOptAdam)] : []),
  denseMlpCase('taped', `flat θ [${rows}, D], tf.grad of the loss`, { gradient: 'taped', rows }),
  denseMlpCase('written', `flat θ [${rows}, D], written-out gradient`, { rows }),
];
const blocks = 10;
const results = [];
const loadBefore = os.loadavg()[0]!;
for (const c of cases) {
  const run = await c.prepare();
  for (let i = 0; i < 50; i++) await run();
  const profile = await tf.profile(run);
  const before = tf.memory().numTensors;
  const perStep: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const start = process.cpuUsage();
    for (let i = 0; i < steps / blocks; i++) await run();
    const used = process.cpuUsage(start);
    perStep.push((used.user + used.system) / 1000 / (steps / blocks));
  }
  perStep.sort((a, b) => a - b);
  results.push({ step: c.id, how: c.title, kernels: profile.kernels.length, cpuMsPerStep: +perStep[blocks >> 1]!.toFixed(3), tensorsLeaked: tf.memory().numTensors - before });
  c.dispose?.();
}
console.log(`backend ${tf.getBackend()}, ${rows} row(s), ${steps} steps per way in ${blocks} blocks; load average ${loadBefore.toFixed(2)} → ${os.loadavg()[0]!.toFixed(2)}`);
console.table(results);
