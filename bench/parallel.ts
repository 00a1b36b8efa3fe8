/**
 * Throughput of a suite's run groups at 1, 2, … workers (the in-process loop, then
 * the worker pool), the pool's overhead per unit, and the queue's overhead per job on
 * loopback (redis-server started on a free port, stopped after).
 *
 *   npm run bench:parallel -- --data /path/to/datasets [--workers 1,2] [--only 2d,mnist,es,queue] [--es-iterations 20] [--scale 1] [--out DIR]
 *   (flags, backend, provenance and the result file: harness.ts)
 *
 * Writes bench/results/parallel-wasm-<date>.json with provenance. The 2-D suite is
 * suites/2d.json without its learned optimizer (meta-training is a fixed cost, not
 * throughput); the MNIST-MLP suite is six baselines on the 784-100-10 MLP of mnist-10k.
 * `--scale k` runs both suites with k times their seeds (the same groups, k times the
 * runs each): the steady-state throughput a long suite sees, its processes' start-up
 * and JIT warm-up amortised.
 * ES meta-training ('es'): the l2l-quadratic suite's ES config (LSTM optimizer,
 * 10-D random quadratics, 32 tasks, unroll 20, 8 antithetic pairs) for a few
 * iterations with its pairs on 1 (in process) and 2 … workers; 'pes': the same
 * config with PES's 8 particles.
 *
 * `N workers` is what `alphaopt run --workers N` and `metaTrain.workers: N` do: this
 * process and N − 1 children. It prints one line per measurement, CPU time per
 * process (main thread and V8's helper threads, bench/cpuTime.ts), then a summary
 * of the goals' figures with the load average; bench/README.md explains them.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { createLearnedOptimizer } from '../src/learned/index.js';
import '../src/meta/es/esPairs.js';
import '../src/meta/pes/pesParticles.js';
import { metaTrain } from '../src/meta/metaTrain.js';
import { submitSuite } from '../src/queue/submit.js';
import { startWorker } from '../src/queue/worker.js';
import type { Suite } from '../src/suite/decode.js';
import { planGroups } from '../src/suite/plan.js';
import { balancedUnits, runUnitsOnPool } from '../src/suite/pool.js';
import { familyOf, taskFromSpec } from '../src/tasks/index.js';
import { runKey, type RunRecord } from '../src/suite/record.js';
import { inProcessHandler, runPlannedGroup } from '../src/suite/runner.js';
import { startRedis } from '../test/helpers/redis.js';
import { childrenCpu, cpuTime, describeCpu, minus, plus, type CpuTime } from './cpuTime.js';
import { esConfig, esTaskSpec, mnistMlp, twoD } from './parallelWorkloads.js';
import { list, positiveInt, startBench } from './harness.js';

const { options, choice, writeResult } = await startBench<{ workers: number[]; only: string[]; esIterations: number; scale: number; data?: string }>({
  name: 'bench:parallel',
  description: "throughput of a suite's run groups at 1, 2, … workers, the pool's and the queue's overhead",
  backends: ['wasm'],
  flags: (c) =>
    c
      .option('--workers <counts>', 'worker counts to compare', (v) => list(v).map(positiveInt('--workers')), [1, 2])
      .option('--only <parts>', 'of 2d,mnist,es,pes,queue', list, ['2d', 'mnist', 'es', 'pes', 'queue'])
      .option('--es-iterations <n>', 'ES (and PES) meta-training iterations', positiveInt('--es-iterations'), 20)
      .option('--scale <k>', "the 2-D and MNIST-MLP suites with k times their seeds", positiveInt('--scale'), 1)
      .option('--data <dir>', 'the datasets folder (for the MNIST-MLP suite)'),
});
const { workers: workerCounts, only, esIterations, scale, data } = options;
// Pool workers inherit the environment: the dataset folder reaches them this way.
if (data !== undefined) process.env['ALPHAOPT_DATA'] = path.resolve(data);

const scratch = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-bench-'));

interface Throughput {
  workers: number;
  /** Units as run: the pool splits groups until it has 4 per worker (balancedUnits). */
  units: number;
  runs: number;
  /** From the call to the last record: the children's start-up included. */
  wallMs: number;
  runsPerSecond: number;
  /** Pool only: from the start to the first unit begun in a child (process start, tfjs, backend, task data). */
  childStartupMs?: number;
  /** Sum of the groups' own compute time, as their records state it. */
  computeMs: number;
  /** This process's CPU time (user + system, all its threads) over the wall time: above 1, V8's helper threads (GC, JIT) used another core. */
  parentCpuPerWall: number;
  /** Pool only: units finished by this process and by the children. */
  /** takenBack: units a child held unstarted that this process ran instead (counted in `here`). */
  unitsBy?: { here: number; children: number; takenBack: number };
  /** CPU time (cpuTime.ts) of this process during the measurement, and of the children over their life (start-up included); the children's CPU at their first unit as each read it (start-up alone, all threads). */
  cpu: { parent?: CpuTime; children?: CpuTime; childrenStartupMs?: number };
  /** finalLoss of every run, by run key (to check the worker counts agree bit for bit). */
  finals: Map<string, number | null>;
}

const computeOf = (records: RunRecord[]) => records.reduce((s, r) => s + r.wallMs, 0);

async function throughput(suite: Suite, workers: number): Promise<Throughput> {
  const groups = planGroups(suite, suite.seeds, new Set());
  const runs = groups.reduce((n, g) => n + g.rows.length, 0);
  const records: RunRecord[] = [];
  // Data is loaded before the clock starts, as the runner does before it runs groups; children load theirs during their start-up.
  for (const task of suite.tasks) await task.prepare?.();
  const cpu = process.cpuUsage();
  const parentBefore = cpuTime();
  const childCpu = new Map<number, { startupMs?: number; last?: CpuTime }>();
  const started = performance.now();
  let childStartupMs: number | undefined;
  let units = groups.length;
  const unitsBy = { here: 0, children: 0, takenBack: 0 };
  if (workers === 1) {
    for (const group of groups) await runPlannedGroup(suite, group, choice.backend, new Map(), { append: async (part) => void records.push(...part), recover: async () => undefined });
  } else {
    // What `alphaopt run --workers N` does: this process is one of the workers, the groups balanced for them.
    const balanced = balancedUnits(groups, suite.steps, workers);
    units = balanced.length;
    const local = inProcessHandler(suite, choice.backend, new Map(), async () => undefined);
    const failures = await runUnitsOnPool(balanced, {
      workers,
      context: { suiteRaw: suite.raw, suiteFile: suite.file, backend: choice.backend, out: scratch },
      write: async (_u, r) => void records.push(...r),
      local: async () => local,
      onEvent: (e) => {
        if (e.type === 'finished') unitsBy[e.local === true ? 'here' : 'children'] += 1;
        if (e.type === 'takenBack') unitsBy.takenBack += 1;
        if (e.local === true) return;
        if (e.type === 'started' && childStartupMs === undefined) childStartupMs = performance.now() - started;
        // A child's counters, read while it lives: at its first unit (its start-up) and after each unit (the last reading is its total).
        const entry = childCpu.get(e.pid) ?? {};
        const now = cpuTime(e.pid);
        // The child's own reading: this process may take its 'started' message only after its own unit, when the child is well into its first.
        if (e.type === 'started' && entry.startupMs === undefined && e.cpuMs !== undefined) entry.startupMs = e.cpuMs;
        if (e.type === 'finished' && now !== undefined) entry.last = now;
        childCpu.set(e.pid, entry);
      },
    });
    if (failures.length > 0) throw new Error(`pool failures: ${failures.map((f) => f.key).join(', ')}`);
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const parent = minus(cpuTime(), parentBefore);
  const sum = (times: Array<CpuTime | undefined>) => (times.some((t) => t === undefined) || times.length === 0 ? undefined : times.reduce<CpuTime>((a, t) => plus(a, t!), { mainMs: 0, helpersMs: 0 }));
  const children = sum([...childCpu.values()].map((c) => c.last));
  const startups = [...childCpu.values()].map((c) => c.startupMs);
  const childrenStartupMs = startups.length === 0 || startups.some((t) => t === undefined) ? undefined : startups.reduce<number>((a, t) => a + t!, 0);
  return {
    workers,
    units,
    runs,
    wallMs,
    runsPerSecond: runs / (wallMs / 1000),
    ...(childStartupMs === undefined ? {} : { childStartupMs, unitsBy }),
    computeMs: computeOf(records),
    parentCpuPerWall: (used.user + used.system) / 1000 / wallMs,
    cpu: { ...(parent === undefined ? {} : { parent }), ...(children === undefined ? {} : { children }), ...(childrenStartupMs === undefined ? {} : { childrenStartupMs }) },
    finals: new Map(records.map((r) => [runKey(r), r.finalLoss])),
  };
}

/** CPU seconds of every process of a measurement, all threads (a child's start-up included). */
const cpuSeconds = (r: Pick<Throughput, 'cpu'>) => [r.cpu.parent, r.cpu.children].reduce((s, t) => s + (t === undefined ? 0 : t.mainMs + t.helpersMs), 0) / 1000;
const cpuTotal = (r: Pick<Throughput, 'cpu'>) => cpuSeconds(r).toFixed(2);
/**
 * Cores a measurement kept busy: all its processes' CPU time over its wall time. One worker's process already uses more
 * than a core (V8's compiler and GC threads run on the idle one), so at the same CPU cost N cores allow at most
 * N / that many times its rate; only a lower CPU cost per run (e.g. the children's main-thread GC) can pass it.
 */
const coresBusy = (r: Pick<Throughput, 'cpu' | 'wallMs'>) => cpuSeconds(r) / (r.wallMs / 1000);
const msOf = (t: CpuTime) => t.mainMs + t.helpersMs;
const describeMs = (t: CpuTime) => `${msOf(t).toFixed(0)} ms (main ${t.mainMs.toFixed(0)} + helpers ${t.helpersMs.toFixed(0)})`;
const sameFinals = (a: Map<string, number | null>, b: Map<string, number | null>) => a.size === b.size && [...a].every(([k, v]) => b.has(k) && Object.is(b.get(k), v));
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' / ');
const summary: string[] = [];
const loadAtStart = os.loadavg();

const results: Record<string, unknown> = {};
for (const [id, make] of [['2d', () => twoD(scale)], ['mnist', async () => mnistMlp(scale)]] as const) {
  if (!only.includes(id)) continue;
  const suite = await make();
  const rows: Throughput[] = [];
  for (const workers of workerCounts) {
    const row = await throughput(suite, workers);
    console.log(
      `${id}: ${workers} worker(s): ${row.runs} runs (${row.units} units) in ${(row.wallMs / 1000).toFixed(2)} s = ${row.runsPerSecond.toFixed(2)} runs/s; compute ${(row.computeMs / 1000).toFixed(2)} s` +
        `${row.childStartupMs === undefined ? '' : `; first child unit at ${(row.childStartupMs / 1000).toFixed(2)} s; units run here ${row.unitsBy!.here} (${row.unitsBy!.takenBack} taken back from a child), in children ${row.unitsBy!.children}`}; load ${load()}\n` +
        `    CPU: this process ${describeCpu(row.cpu.parent)}${row.workers === 1 ? '' : `; children ${describeCpu(row.cpu.children)} (of which before their first unit ${row.cpu.childrenStartupMs === undefined ? 'n/a' : `${(row.cpu.childrenStartupMs / 1000).toFixed(2)} s`})`}`,
    );
    rows.push(row);
  }
  const one = rows.find((r) => r.workers === 1);
  const speedups = one === undefined ? {} : Object.fromEntries(rows.map((r) => [r.workers, r.runsPerSecond / one.runsPerSecond]));
  const identical = rows.every((r) => sameFinals(r.finals, rows[0]!.finals));
  // Pool overhead per unit: the workers' wall time (children's from their first unit) beyond the units' compute, per unit.
  const overhead = rows
    .filter((r) => r.childStartupMs !== undefined)
    .map((r) => {
      const perUnitMs = (r.wallMs * r.workers - r.childStartupMs! * (r.workers - 1) - r.computeMs) / r.units;
      const meanUnitComputeMs = r.computeMs / r.units;
      return { workers: r.workers, overheadPerUnitMs: perUnitMs, meanUnitComputeMs, overheadFraction: perUnitMs / meanUnitComputeMs, computeOver1Worker: one === undefined ? undefined : r.computeMs / one.computeMs };
    });
  for (const r of rows) {
    if (r.workers === 1) continue;
    const o = overhead.find((x) => x.workers === r.workers)!;
    const cores = Math.min(os.availableParallelism(), r.workers);
    summary.push(
      `${id}${scale === 1 ? '' : ` (×${scale} seeds)`}: ${r.workers} workers ${(speedups[r.workers] ?? Number.NaN).toFixed(2)}× the runs/s of 1 (${one?.runsPerSecond.toFixed(2)} → ${r.runsPerSecond.toFixed(2)}); pool overhead per unit ${o.overheadPerUnitMs.toFixed(1)} ms = ${(100 * o.overheadFraction).toFixed(1)} % of a mean ${o.meanUnitComputeMs.toFixed(0)} ms unit; summed compute ${o.computeOver1Worker?.toFixed(2)}× 1 worker's; CPU of all processes ${cpuTotal(r)} s against ${one === undefined ? '?' : cpuTotal(one)} s` +
        `${one === undefined ? '' : `; cores kept busy: 1 worker ${coresBusy(one).toFixed(2)} (so at its CPU cost ${cores} cores allow at most ${(cores / coresBusy(one)).toFixed(2)}×), ${r.workers} workers ${coresBusy(r).toFixed(2)} of ${cores}`}; finalLoss bit-identical: ${identical}`,
    );
  }
  results[id] = { scale, throughput: rows.map(({ finals: _f, ...r }) => ({ ...r, coresBusy: coresBusy(r) })), speedupOver1Worker: speedups, poolOverhead: overhead, finalLossBitIdentical: identical };
}

for (const method of ['es', 'pes'] as const) {
  if (!only.includes(method)) continue;
  // Two rates: over the whole metaTrain call (pool start-up and the two validations, which run in this process, included),
  // and between the curve's first and last point (iterations only).
  // CPU time per iteration between the first and last iteration, per process (cpuTime.ts): under load the wall-clock rates say
  // little, while CPU time per iteration gives the rate the processes would reach on otherwise idle cores (summary below).
  type IterationCpu = { parent: CpuTime; children: CpuTime };
  const rows: Array<{ workers: number; iterations: number; wallMs: number; iterationsPerSecondWhole: number; iterationsPerSecond: number; parentCpuPerWall: number; cpuPerIteration?: IterationCpu }> = [];
  const finals: number[][] = [];
  for (const workers of workerCounts) {
    const optimizer = createLearnedOptimizer('lstm', {});
    const task = taskFromSpec(esTaskSpec);
    const config = esConfig(method, esIterations, workers);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const children = childrenCpu();
    const at: Array<{ parent: CpuTime | undefined; children: CpuTime }> = [];
    const report = await metaTrain(optimizer, familyOf(task), config, (point) => {
      if (point.iteration !== 1 && point.iteration !== esIterations) return;
      children.sample();
      at.push({ parent: cpuTime(), children: children.total() });
    });
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const first = report.curve[0]!;
    const last = report.curve.at(-1)!;
    const iterationsPerSecond = (last.iteration - first.iteration) / ((last.wallMs - first.wallMs) / 1000);
    finals.push([...optimizer.metaParams.values()].flatMap((v) => Array.from(v.dataSync())));
    optimizer.dispose();
    const span = last.iteration - first.iteration;
    const parentCpu = minus(at[1]?.parent, at[0]?.parent);
    const perIteration = (t: CpuTime) => ({ mainMs: t.mainMs / span, helpersMs: t.helpersMs / span });
    const cpuPerIteration = parentCpu === undefined || at.length !== 2 ? undefined : { parent: perIteration(parentCpu), children: perIteration(minus(at[1]!.children, at[0]!.children)!) };
    const row = { workers, iterations: esIterations, wallMs, iterationsPerSecondWhole: esIterations / (wallMs / 1000), iterationsPerSecond, parentCpuPerWall: (used.user + used.system) / 1000 / wallMs, ...(cpuPerIteration === undefined ? {} : { cpuPerIteration }) };
    console.log(`${method}: ${workers} worker(s): ${esIterations} iterations in ${(wallMs / 1000).toFixed(2)} s = ${row.iterationsPerSecondWhole.toFixed(2)} it/s whole (start-up, validation); ${iterationsPerSecond.toFixed(2)} it/s between the first and last iteration; this process's CPU/wall ${row.parentCpuPerWall.toFixed(2)}; load ${load()}`);
    if (cpuPerIteration !== undefined) console.log(`    CPU per iteration: this process ${describeMs(cpuPerIteration.parent)}${workers === 1 ? '' : `; children ${describeMs(cpuPerIteration.children)}`}`);
    rows.push(row);
  }
  const one = rows.find((r) => r.workers === 1);
  const identical = finals.every((f) => f.length === finals[0]!.length && f.every((x, i) => Object.is(x, finals[0]![i])));
  for (const r of rows) {
    if (one === undefined || r.workers === 1) continue;
    const [c1, c] = [one.cpuPerIteration, r.cpuPerIteration];
    if (c1 !== undefined && c !== undefined) {
      // On otherwise idle cores, 1 worker's iteration takes about its main thread's CPU (its helper threads, GC and JIT, run on
      // an idle core), N workers' at least their busiest process's CPU (helpers included) and all their CPU over the cores.
      const cores = Math.min(os.availableParallelism(), r.workers);
      const busiest = Math.max(msOf(c.parent), msOf(c.children) / (r.workers - 1), (msOf(c.parent) + msOf(c.children)) / cores);
      summary.push(
        `${method}: CPU per iteration, 1 worker ${msOf(c1.parent).toFixed(0)} ms (main ${c1.parent.mainMs.toFixed(0)} + helpers ${c1.parent.helpersMs.toFixed(0)}); ${r.workers} workers: this process ${msOf(c.parent).toFixed(0)} ms, children ${msOf(c.children).toFixed(0)} ms, all ${(msOf(c.parent) + msOf(c.children)).toFixed(0)} ms; ` +
          `CPU-time estimate of the rate ratio on otherwise idle cores ${(c1.parent.mainMs / busiest).toFixed(2)}× (1 worker's main thread over ${r.workers} workers' busiest process or all CPU / ${cores} cores); ` +
          `1 worker kept ${one.parentCpuPerWall.toFixed(2)} cores busy over the call, so at its CPU cost ${cores} cores allow at most ${(cores / one.parentCpuPerWall).toFixed(2)}×`,
      );
    }
    summary.push(`${method}: ${r.workers} workers ${(r.iterationsPerSecondWhole / one.iterationsPerSecondWhole).toFixed(2)}× the iterations/s of 1 over the whole call (${one.iterationsPerSecondWhole.toFixed(2)} → ${r.iterationsPerSecondWhole.toFixed(2)}), ${(r.iterationsPerSecond / one.iterationsPerSecond).toFixed(2)}× between first and last iteration; meta-parameters bit-identical: ${identical}`);
  }
  results[method] = {
    config: `suites/l2l-quadratic.json ES entry (lstm, randomQuadratic 10-D, 32 tasks, unroll 20, 8 pairs)${method === 'pes' ? ' with method pes (8 particles)' : ''}`,
    rows,
    speedupOver1Worker: one === undefined ? {} : Object.fromEntries(rows.map((r) => [r.workers, { whole: r.iterationsPerSecondWhole / one.iterationsPerSecondWhole, iterations: r.iterationsPerSecond / one.iterationsPerSecond }])),
    identical,
  };
}

if (only.includes('queue')) {
  // One worker, one job at a time: what a job costs beyond its compute (fetch, lock, sandbox IPC, result write).
  const redis = await startRedis();
  try {
    const suite = await twoD();
    const queueName = 'bench';
    const submitted = await submitSuite(suite, { redis: redis.url, queue: queueName, out: scratch });
    const worker = startWorker({ redis: redis.url, queue: queueName, concurrency: 1, work: scratch, name: 'bench' });
    const queue = new Queue(queueName, { connection: { url: redis.url } });
    for (;;) {
      if ((await queue.getJobCounts('completed')).completed === submitted.jobIds.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await worker.close();
    const jobs = (await Promise.all(submitted.jobIds.map((id) => Job.fromId(queue, id)))).map((j) => j!).sort((a, b) => a.processedOn! - b.processedOn!);
    await queue.close();
    // The first job pays for the sandbox's start (tfjs, backend): measure from its end.
    const rest = jobs.slice(1);
    const computeMs = rest.reduce((s, j) => s + computeOf(j.returnvalue as RunRecord[]), 0);
    const spanMs = jobs.at(-1)!.finishedOn! - jobs[0]!.finishedOn!;
    const perJobMs = (spanMs - computeMs) / rest.length;
    console.log(`queue: ${jobs.length} jobs; overhead per job ${perJobMs.toFixed(1)} ms (span ${(spanMs / 1000).toFixed(2)} s, compute ${(computeMs / 1000).toFixed(2)} s); load ${load()}`);
    summary.push(`queue: overhead per job ${perJobMs.toFixed(1)} ms on loopback (${jobs.length} 2-D jobs, one worker, concurrency 1)`);
    results['queue'] = { jobs: jobs.length, overheadPerJobMs: perJobMs, spanMs, computeMs, firstJobMs: jobs[0]!.finishedOn! - jobs[0]!.processedOn! };
  } finally {
    await redis.stop();
  }
}

const loadAtEnd = os.loadavg();
const file = await writeResult('parallel', 'run groups in process, on a worker pool and on a queue', { cores: os.availableParallelism(), loadAverageAtStart: loadAtStart, loadAverage: loadAtEnd, results });
console.log(`\nsummary (${os.availableParallelism()} cores; load average 1/5/15 min at the start ${loadAtStart.map((l) => l.toFixed(2)).join(' / ')}, at the end ${load()}; ${file}):`);
for (const line of summary) console.log(`  ${line}`);
// The benchmark itself keeps at most `workers` processes busy: a 1-minute load above 1 before it started means others were running.
if (loadAtStart[0]! > 1) console.log(`  the machine was not quiet (load average ${loadAtStart[0]!.toFixed(2)} before the benchmark started): these are not goal measurements`);
