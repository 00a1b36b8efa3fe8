/**
 * Where an ES/PES iteration's time goes on the worker pool (issue #17): per iteration, this process's wall time split
 * into its phases (units encoded, its own unroll and units, waiting for the children, the meta-step) and the CPU time
 * of this process (main thread, V8 helpers) and of its children (/proc, all threads) — figures that stay meaningful when
 * other processes hold the cores, unlike wall-clock speed-ups.
 *
 *   npm run bench:build && node dist-bench/bench/es-breakdown.js [--method es|pes] [--workers 2] [--iterations 20]
 */
import * as tf from '@tensorflow/tfjs';
import { createLearnedOptimizer } from '../src/learned/index.js';
import { decodeMetaTrainConfig } from '../src/meta/config.js';
import { esEstimatorWith, inProcessPairs } from '../src/meta/es/es.js';
import { openEsPairPool } from '../src/meta/es/esPairs.js';
import { pesEstimator, inProcessParticles } from '../src/meta/pes/pes.js';
import { openPesParticlePool } from '../src/meta/pes/pesParticles.js';
import { trainTruncated, type Estimator } from '../src/meta/truncated.js';
import { familyOf, taskFromSpec } from '../src/tasks/index.js';
import { childPids, childrenCpu, cpuTime, mainThreadSched, minus, type CpuTime, type MainThreadSched } from './cpuTime.js';
import { esConfig, esTaskSpec } from './parallelWorkloads.js';
import { positiveInt, startBench } from './harness.js';

const { options } = await startBench<{ method: string; workers: number; iterations: number }>({
  name: 'bench:es-breakdown',
  description: "where an ES/PES iteration's time goes on the worker pool (phases, CPU per process)",
  backends: ['wasm'],
  flags: (c) =>
    c
      .option('--method <m>', 'es or pes', 'es')
      .option('--workers <n>', 'workers (1: in process)', positiveInt('--workers'), 2)
      .option('--iterations <n>', 'iterations', positiveInt('--iterations'), 20),
});
const method = options.method as 'es' | 'pes';
const config = decodeMetaTrainConfig(esConfig(method, options.iterations, options.workers));
const optimizer = createLearnedOptimizer('lstm', {});
const task = taskFromSpec(esTaskSpec);

const children = childrenCpu();
const childCpu = (): CpuTime => {
  children.sample();
  return children.total();
};

/** Per iteration: wall time in the estimate and in the population, units (sides) run here and in the child, time in this process's units. */
interface Phases {
  populationMs: number;
  estimateMs: number;
  localUnits: number;
  childUnits: number;
  localUnitMs: number;
  /** Units a child held unstarted that this process took back and ran (counted in localUnits too). */
  takenBack: number;
}
const noPhases = (): Phases => ({ populationMs: 0, estimateMs: 0, localUnits: 0, childUnits: 0, localUnitMs: 0, takenBack: 0 });
let phases = noPhases();
const localStarts = new Map<string, number>();
const onEvent = (e: { type: string; key: string; local?: boolean }) => {
  if (e.type === 'started' && e.local === true) localStarts.set(e.key, performance.now());
  if (e.type === 'takenBack') phases.takenBack++;
  if (e.type !== 'finished') return;
  if (e.local !== true) phases.childUnits++;
  else {
    phases.localUnits++;
    phases.localUnitMs += performance.now() - (localStarts.get(e.key) ?? 0);
  }
};

/** `f`, its wall time added to phases[field]. */
const timed = <A extends unknown[], R>(field: 'populationMs' | 'estimateMs', f: (...args: A) => Promise<R>) =>
  async (...args: A): Promise<R> => {
    const t = performance.now();
    try {
      return await f(...args);
    } finally {
      phases[field] += performance.now() - t;
    }
  };

let close = (): void => undefined;
let estimator: Estimator & { dispose?(): void };
if (method === 'es') {
  const pool = options.workers > 1 ? openEsPairPool(optimizer, task, config, onEvent) : undefined;
  close = () => pool?.close();
  estimator = esEstimatorWith(timed('populationMs', pool?.evaluate ?? inProcessPairs), { elsewhere: pool !== undefined });
} else {
  const pool = options.workers > 1 ? openPesParticlePool(optimizer, task, config, onEvent) : undefined;
  close = () => pool?.close();
  estimator = pesEstimator(timed('populationMs', pool?.evaluate ?? inProcessParticles), { elsewhere: pool !== undefined });
}
const measured: Estimator = { name: estimator.name, estimate: timed('estimateMs', (args) => estimator.estimate(args)) };

const rows: Array<Record<string, number>> = [];
let lastPointAt = 0;
/** This process's and its (one) child's main thread, by the scheduler: blocked = wall − on a CPU − waiting for one. */
const scheds = () => ({ parent: mainThreadSched(), child: childPids().length === 1 ? mainThreadSched(childPids()[0]!) : undefined });
const blocked = (wallMs: number, now: MainThreadSched | undefined, before: MainThreadSched | undefined) =>
  now === undefined || before === undefined ? Number.NaN : wallMs - (now.runMs - before.runMs) - (now.waitMs - before.waitMs);
let last = { wall: performance.now(), parent: cpuTime()!, children: childCpu(), sched: scheds() };
const started = performance.now();
await trainTruncated(optimizer, familyOf(task), config, measured, (point) => {
  const now = { wall: performance.now(), parent: cpuTime()!, children: childCpu(), sched: scheds() };
  const p = minus(now.parent, last.parent)!;
  const c = minus(now.children, last.children)!;
  const wallMs = now.wall - last.wall;
  const sched = { parentBlockedMs: blocked(wallMs, now.sched.parent, last.sched.parent), childBlockedMs: blocked(wallMs, now.sched.child, last.sched.child) };
  rows.push({ iteration: point.iteration, wallMs, ...phases, parentMainMs: p.mainMs, parentHelpersMs: p.helpersMs, childMainMs: c.mainMs, childHelpersMs: c.helpersMs, ...sched, tensors: tf.memory().numTensors });
  phases = noPhases();
  last = now;
  lastPointAt = performance.now();
});
const ended = performance.now();
const totalMs = ended - started;
close();
estimator.dispose?.();
// Iteration 1 carries the children's start-up and the first validation: report 2 … N.
const steady = rows.slice(1);
const mean = (k: string) => steady.reduce((s, r) => s + r[k]!, 0) / steady.length;
console.log(`${method}, ${options.workers} worker(s), ${options.iterations} iterations in ${(totalMs / 1000).toFixed(2)} s; load ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
console.log(`per iteration (mean of 2…${options.iterations}), ms: ${['wallMs', 'estimateMs', 'populationMs', 'localUnitMs', 'localUnits', 'childUnits', 'takenBack', 'parentMainMs', 'parentHelpersMs', 'childMainMs', 'childHelpersMs', 'parentBlockedMs', 'childBlockedMs'].map((k) => `${k} ${mean(k).toFixed(1)}`).join(', ')}`);
console.log(`  first iteration (with the starting validation and the children's start-up) ${rows[0]!['wallMs']!.toFixed(0)} ms; after the last iteration (the final validation, in this process) ${(ended - lastPointAt).toFixed(0)} ms`);
console.log(`  outside the estimate (meta-step, bookkeeping): ${(mean('wallMs') - mean('estimateMs')).toFixed(1)} ms; CPU of all processes per iteration ${(mean('parentMainMs') + mean('parentHelpersMs') + mean('childMainMs') + mean('childHelpersMs')).toFixed(1)} ms`);
