/**
 * Kernels and CPU time per MLP training step (784-20-10 sigmoid, batch 128, rules.adam), by way of computing the
 * gradient: through tfjs-layers (model + optimizer.minimize), tf.grad of the flat-parameter loss (the MNIST MLP
 * task's step before its gradient was written out), and the dense stack's written-out gradient (the task's step now).
 *
 *   npm run bench:build && node dist-bench/bench/mlp-step-cost.js [--backend wasm] [--steps 2000] [--rows 1]
 *
 * `--rows R` trains R networks side by side as rows of θ [R, D], each on its own minibatch, as a suite's runs
 * are (the flat-θ ways only; the layers model is one network).
 *
 * Kernels: tf.profile of one step. CPU: process.cpuUsage (user + system) over blocks of steps, the median block per
 * step — CPU time the process itself spends, so less sensitive than wall time to other processes on a loaded machine.
 * Writes nothing.
 */
import os from 'node:os';
import { tf, setupBackend, BackendRequest, rules, toTfjsOptimizer } from '../src/index.js';
import { mnistMlp } from '../src/models/index.js';
import { trainingCase, type BenchCase } from './cases.js';
import { denseMlpCase } from './denseMlp.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}
const backend = flag('backend', 'wasm');
if (!BackendRequest.is(backend)) throw new Error(`--backend must be one of auto, cpu, wasm, webgpu, tensorflow (got '${backend}')`);
const steps = Number(flag('steps', '2000'));
if (!Number.isInteger(steps) || steps < 10) throw new Error(`--steps must be an integer ≥ 10 (got '${flag('steps', '')}')`);
const rows = Number(flag('rows', '1'));
if (!Number.isInteger(rows) || rows < 1) throw new Error(`--rows must be a positive integer (got '${flag('rows', '')}')`);
await setupBackend(backend);

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
