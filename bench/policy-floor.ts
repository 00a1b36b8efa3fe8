/**
 * The coordinate policy's update (H = 25, MLP [32, 32], 101,770 parameters, as the peer benchmark's `policy`
 * workload) against its FLOP floor: the policy network's multiply-adds per coordinate × 2 × coordinates, at the
 * rate this process's wasm matmul reaches — on a 512² product, and on the policy's own product shapes.
 *
 *   npm run bench:build && node dist-bench/bench/policy-floor.js [--updates 9]   (flags: harness.ts)
 *
 * Times are CPU time of this process (process.cpuUsage), medians, so less sensitive to other processes' load
 * than wall time. Writes nothing.
 */
import os from 'node:os';
import { tf } from '../src/index.js';
import { positiveInt, startBench } from './harness.js';
import { UPDATE_PARAMETERS, WORKLOADS } from './peer/workloads.js';

const { options } = await startBench<{ updates: number }>({
  name: 'policy-floor',
  description: "the coordinate policy's update against its FLOP floor",
  backends: ['wasm'],
  writesResults: false,
  flags: (c) => c.option('--updates <n>', 'timed updates (the median is kept)', positiveInt('--updates'), 9),
});
const { updates } = options;

async function cpuMs(f: () => Promise<void> | void, reps: number): Promise<number> {
  await f();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const start = process.cpuUsage();
    await f();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  return times.sort((a, b) => a - b)[reps >> 1]!;
}

const product = (a: tf.Tensor2D, b: tf.Tensor2D) => () => {
  tf.matMul(a, b).dispose();
};
const n = UPDATE_PARAMETERS;
const [features, hidden] = [77, 32];
const held = [tf.randomNormal([512, 512]), tf.randomNormal([n, features]), tf.randomNormal([features, hidden]), tf.randomNormal([n, hidden]), tf.randomNormal([hidden, hidden]), tf.randomNormal([hidden, 1])] as tf.Tensor2D[];
const [square, first, firstKernel, h, secondKernel, outKernel] = held as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
const loadBefore = os.loadavg()[0]!;
const squareMs = await cpuMs(product(square, square), 15);
const shapedMs = (await cpuMs(product(first, firstKernel), 9)) + (await cpuMs(product(h, secondKernel), 9)) + (await cpuMs(product(h, outKernel), 9));
const policy = WORKLOADS.find((w) => w.id === 'policy')!;
const run = await policy.prepare();
const updateMs = await cpuMs(run, updates);
policy.dispose?.();
tf.dispose(held);

const flops = n * 2 * (features * hidden + hidden * hidden + hidden);
const squareRate = (2 * 512 ** 3) / squareMs / 1e6;
const floorAtSquare = flops / squareRate / 1e6;
console.log(`load average ${loadBefore.toFixed(2)} → ${os.loadavg()[0]!.toFixed(2)}; CPU ms, medians`);
console.table([
  { measure: 'policy update, 101,770 coordinates', ms: +updateMs.toFixed(2) },
  { measure: `FLOPs per update: ${n} × 2 × (77·32 + 32·32 + 32)`, ms: flops },
  { measure: `512² matmul (${squareRate.toFixed(1)} GFLOP/s)`, ms: +squareMs.toFixed(2) },
  { measure: 'floor at the 512² rate', ms: +floorAtSquare.toFixed(2) },
  { measure: `the policy's three products alone ([n,77]·[77,32], [n,32]·[32,32], [n,32]·[32,1]; ${(flops / shapedMs / 1e6).toFixed(1)} GFLOP/s)`, ms: +shapedMs.toFixed(2) },
  { measure: 'update / floor at the 512² rate', ms: +(updateMs / floorAtSquare).toFixed(2) },
  { measure: 'update / its products alone', ms: +(updateMs / shapedMs).toFixed(2) },
]);
