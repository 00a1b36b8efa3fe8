/**
 * Where one call of a peer workload spends its time, kernel by kernel (tf.profile), after a warm-up:
 *
 *   npm run bench:build && node dist-bench/bench/peer/profile.js --only mlp [--backend wasm] [--calls 5]
 *
 * Prints, per kernel name, the calls and the summed kernel time of the median call (by wall time), and the
 * wall time of that call against the kernels' sum: the difference is dispatch (the engine, the tape, tidy) and
 * JavaScript between kernels; then the peak bytes of tensors during that call (tf.profile) and, on wasm, the
 * module's heap (it never shrinks, so it is the process's high-water mark of tensor memory). Writes nothing.
 * Kernel times under tf.profile are inflated by the profiler itself; read the counts and the proportions.
 */
import { tf } from '../../src/index.js';
import { list, positiveInt, startBench } from '../harness.js';
import { WORKLOADS } from './workloads.js';

const { options } = await startBench<{ calls: number; only: string[] }>({
  name: 'peer-profile',
  description: 'where one call of a peer workload spends its time, kernel by kernel',
  backends: ['wasm', 'cpu', 'webgpu', 'tensorflow', 'auto'],
  writesResults: false,
  flags: (c) =>
    c
      .option('--calls <n>', 'profiled calls (the median by wall time is shown)', positiveInt('--calls'), 5)
      .requiredOption('--only <ids>', `the workloads to profile, some of ${WORKLOADS.map((w) => w.id).join(', ')}`, list),
});
const { calls, only: ids } = options;

for (const id of ids) {
  const workload = WORKLOADS.find((w) => w.id === id);
  if (workload === undefined) throw new Error(`--only: unknown workload '${id}'; expected some of ${WORKLOADS.map((w) => w.id).join(', ')}`);
  const run = await workload.prepare();
  const profiles: Array<{ wall: number; peakBytes: number; kernels: Map<string, { calls: number; ms: number }> }> = [];
  for (let c = 0; c < calls; c++) {
    let wall = 0;
    const info = await tf.profile(async () => {
      const start = performance.now();
      await run();
      wall = performance.now() - start;
    });
    const kernels = new Map<string, { calls: number; ms: number }>();
    for (const k of info.kernels) {
      const entry = kernels.get(k.name) ?? { calls: 0, ms: 0 };
      entry.calls += 1;
      entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      kernels.set(k.name, entry);
    }
    profiles.push({ wall, peakBytes: info.peakBytes, kernels });
  }
  profiles.sort((a, b) => a.wall - b.wall);
  const median = profiles[profiles.length >> 1]!;
  const rows = [...median.kernels.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const kernelMs = rows.reduce((s, [, e]) => s + e.ms, 0);
  const kernelCalls = rows.reduce((s, [, e]) => s + e.calls, 0);
  console.log(`${id}: ${workload.title}`);
  console.table(rows.map(([name, e]) => ({ kernel: name, calls: e.calls, ms: Number(e.ms.toFixed(3)) })));
  console.log(`median call under the profiler: ${median.wall.toFixed(2)} ms wall, ${kernelCalls} kernels summing ${kernelMs.toFixed(2)} ms`);
  const heap = (tf.backend() as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.length;
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  console.log(`peak tensor bytes in that call: ${mib(median.peakBytes)}${heap === undefined ? '' : `; wasm heap now ${mib(heap)}`}; process RSS ${mib(process.memoryUsage().rss)}`);
  workload.dispose?.();
}
