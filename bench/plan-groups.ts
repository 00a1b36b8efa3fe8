/**
 * The run groups a suite would be split into on this backend, without running it:
 * for each task and optimizer, the one-row probe's cost per run, the group size
 * chosen and the estimate. A learned optimizer without a checkpoint is sized with an
 * untrained one of the same kind and hyper-parameters (planning must not meta-train).
 *
 *   npx tsx bench/plan-groups.ts suites/omniglot.json [--backend wasm] [--seeds N] [--data-dir DIR] [--tasks id,id]
 *
 * --tasks keeps only those tasks (a task with a MAML initialisation and no checkpoint meta-trains it when prepared).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { memoryBudget, restartWasmBackend, wasmHeapBytes } from '../src/backend/index.js';
import { createLearnedOptimizer, loadLearnedOptimizer, type LearnedOptimizer } from '../src/learned/index.js';
import { readSuite } from '../src/suite/decode.js';
import { planGroups, sizeGroups } from '../src/suite/plan.js';
import { ruleBuilder } from '../src/suite/runner.js';
import { list, positiveInt, startBench } from './harness.js';

const { options, args, choice } = await startBench<{ seeds?: number; dataDir?: string; tasks?: string[] }>({
  name: 'plan-groups',
  description: 'the run groups a suite would be split into on this backend, without running it',
  flags: (c) =>
    c
      .argument('<suite>', 'the suite file')
      .option('--seeds <n>', "seeds per run (default: the suite's)", positiveInt('--seeds'))
      .option('--data-dir <dir>', 'the datasets folder')
      .option('--tasks <ids>', 'keep only these task ids', list),
});
const [file] = args as [string];
const dataDir = options.dataDir;
if (dataDir !== undefined) process.env['ALPHAOPT_DATA'] = dataDir;
const suite = await readSuite(file);
const seeds = options.seeds ?? suite.seeds;
const only = options.tasks;
if (only !== undefined) suite.tasks = suite.tasks.filter((t) => only.includes(t.id));
for (const task of suite.tasks) await task.prepare?.();
const learned = new Map<string, LearnedOptimizer>();
const loadLearned = async (quiet: boolean) => {
  for (const o of suite.optimizers) {
    if (o.type !== 'learned') continue;
    const dir = o.checkpoint ?? '';
    if (existsSync(path.join(dir, 'manifest.json'))) learned.set(o.name, await loadLearnedOptimizer(dir, o.kind));
    else {
      // Memory does not depend on what was learned: an untrained one of the same kind and size stands in.
      learned.set(o.name, createLearnedOptimizer(o.kind, o.hyperParams));
      if (!quiet) console.log(`${o.name}: no checkpoint at ${dir}; sized with an untrained '${o.kind}' of the same hyper-parameters`);
    }
  }
};
await loadLearned(false);
// As the runner does: a trap in a probe restarts the wasm module, and what lived on it is loaded again.
const recover = async (error: unknown) => {
  if (choice.backend !== 'wasm' || !(error instanceof WebAssembly.RuntimeError)) return;
  await restartWasmBackend();
  await loadLearned(true);
};
const planned = planGroups(suite, seeds, new Set());
const budget = memoryBudget(choice.backend);
const started = performance.now();
// As the runner does: on wasm the heap's size is the base.
const baseBytes = wasmHeapBytes() ?? tf.memory().numBytes;
const groups = await sizeGroups(planned, { budget, baseBytes, buildRule: (g) => ruleBuilder(g, learned), ...(suite.evaluationLimit === undefined ? {} : { evaluationLimit: suite.evaluationLimit }), log: (l) => console.log(l), recover });
const rows = planned.map((p) => {
  const mine = groups.filter((g) => g.task === p.task && g.optimizer === p.optimizer);
  const size = mine[0]!.size;
  return { task: p.task.id, optimizer: p.optimizer.name, runs: p.rows.length, groups: mine.length, rowsPerGroup: mine[0]!.rows.length, estimateMiB: size === undefined ? null : Math.round(size.estimatedBytes / 2 ** 20) };
});
console.table(rows);
console.log(`budget: ${budget.source}; planned in ${((performance.now() - started) / 1000).toFixed(1)} s; wasm heap now ${Math.round((wasmHeapBytes() ?? 0) / 2 ** 20)} MiB`);
