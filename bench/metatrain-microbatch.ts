/**
 * The micro-batches truncated BPTT meta-training picks on this backend (issue #22):
 * one task's truncation measured, the tasks per micro-batch chosen under the budget,
 * and the heap after a couple of meta-iterations. Uses lstm-mnist's meta-training
 * config (pretrained/lstm-mnist/metatrain.json) with more tasks per iteration.
 *
 *   npx tsx bench/metatrain-microbatch.ts --data-dir /work/shared/datasets [--tasks 16] [--iterations 2] [--unroll N] [--memory-limit MiB] [--backend wasm]
 */
import { readFile } from 'node:fs/promises';
import { BackendRequest, setupBackend, wasmHeapBytes } from '../src/backend/index.js';
import { loadLearnedOptimizer } from '../src/learned/index.js';
import { familyOf, mnistMlpTask } from '../src/tasks/index.js';
import { metaTrain } from '../src/meta/metaTrain.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const dataDir = flag('data-dir');
if (dataDir === undefined) throw new Error('--data-dir DIR is required (the folder holding mnist-10k)');
const requested = flag('backend') ?? 'wasm';
if (!BackendRequest.is(requested)) throw new Error('--backend must be one of auto, cpu, wasm, webgpu, tensorflow');
const choice = await setupBackend(requested);
const checkpoint = 'pretrained/lstm-mnist';
const trained = JSON.parse(await readFile(`${checkpoint}/metatrain.json`, 'utf8')) as { task: string; config: Record<string, number | string> };
const tasks = Number(flag('tasks') ?? 16);
const iterations = Number(flag('iterations') ?? 2);
const limit = flag('memory-limit');
const unroll = flag('unroll');
const config = { ...trained.config, ...(unroll === undefined ? {} : { unroll: Number(unroll) }), tasksPerIteration: tasks, iterations, validateEvery: iterations, validationTasks: 1, ...(limit === undefined ? {} : { memoryLimit: Number(limit) }) };
const optimizer = await loadLearnedOptimizer(checkpoint, 'lstm');
const task = mnistMlpTask({ dataDir });
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
console.log(`${choice.backend}: ${trained.task} (${task.dimension} parameters), ${JSON.stringify(config)}`);
const report = await metaTrain(optimizer, familyOf(task), config);
const m = report.microBatch;
if (m !== undefined) {
  console.log(`one task's truncation: peak ${mib(m.taskPeakBytes)} (held between truncations ${mib(m.taskHeldBytes)}); budget ${m.budget}`);
  console.log(`micro-batches: ${m.count} of up to ${m.tasks} tasks (fits: ${m.fits}); estimate ${mib(m.estimatedBytes)}`);
}
const heap = wasmHeapBytes();
console.log(`after ${iterations} iterations: ${heap === undefined ? '' : `wasm heap ${mib(heap)}, `}peak RSS ${mib(process.resourceUsage().maxRSS * 1024)}; ${report.curve.map((p) => `${p.metaLoss.toPrecision(4)} @ ${(p.wallMs / 1000).toFixed(1)} s`).join(', ')}`);
optimizer.dispose();
