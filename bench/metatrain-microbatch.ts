/**
 * The micro-batches truncated BPTT meta-training picks on this backend (issue #22):
 * one task's truncation measured, the tasks per micro-batch chosen under the budget,
 * and the heap after a couple of meta-iterations. Uses lstm-mnist's meta-training
 * config (pretrained/lstm-mnist/metatrain.json) with more tasks per iteration.
 *
 *   npx tsx bench/metatrain-microbatch.ts --data-dir /work/shared/datasets [--tasks 16] [--iterations 2] [--unroll N] [--memory-limit MiB] [--backend wasm]
 */
import { readFile } from 'node:fs/promises';
import { wasmHeapBytes } from '../src/backend/index.js';
import { loadLearnedOptimizer } from '../src/learned/index.js';
import { familyOf, mnistMlpTask } from '../src/tasks/index.js';
import { metaTrain } from '../src/meta/metaTrain.js';
import { positiveInt, startBench } from './harness.js';

const { options, choice } = await startBench<{ dataDir: string; tasks: number; iterations: number; unroll?: number; memoryLimit?: number }>({
  name: 'metatrain-microbatch',
  description: "the micro-batches truncated BPTT meta-training picks on this backend (lstm-mnist's config)",
  flags: (c) =>
    c
      .requiredOption('--data-dir <dir>', 'the folder holding mnist-10k')
      .option('--tasks <n>', 'tasks per iteration', positiveInt('--tasks'), 16)
      .option('--iterations <n>', 'meta-iterations', positiveInt('--iterations'), 2)
      .option('--unroll <n>', 'truncation length (default: the checkpoint config)', positiveInt('--unroll'))
      .option('--memory-limit <MiB>', 'memory budget', positiveInt('--memory-limit')),
});
const { dataDir, tasks, iterations, unroll, memoryLimit: limit } = options;
const checkpoint = 'pretrained/lstm-mnist';
const trained = JSON.parse(await readFile(`${checkpoint}/metatrain.json`, 'utf8')) as { task: string; config: Record<string, number | string> };
const config = { ...trained.config, ...(unroll === undefined ? {} : { unroll }), tasksPerIteration: tasks, iterations, validateEvery: iterations, validationTasks: 1, ...(limit === undefined ? {} : { memoryLimit: limit }) };
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
