/**
 * `alphaopt run`: a suite in, `runs.jsonl` + report out. The runner does not know
 * which kind of optimizer it runs: baselines and learned optimizers both come
 * down to an update rule applied by `runGroup`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { mkdir, readdir, rename, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import tf from '#tfjs';
import cliProgress from 'cli-progress';
import { setupBackend } from '../backend/setup.js';
import type { BackendChoice, BackendRequest, ConcreteBackend } from '../backend/names.js';
import type { LearnedOptimizer, MetaTrainReport } from '../learned/index.js';
import { collectProvenance, describeProvenance, type Provenance } from '../provenance.js';
import type { MetaTrainingRecord, ReportResult } from '../reporting/index.js';
import type { Suite } from './decode.js';
import { checkLearned, checkpointDir, prepareLearned, prepareTask } from './prepare.js';
import { runGroup, type Row } from './execute.js';
import { gridRule, learnedRule } from './groupRule.js';
import { sharedPoint } from './learnedGrid.js';
import { planGroups, sizeGroups, type Group } from './plan.js';
import { fingerprintOf } from './checkpointReuse.js';
import { LOCK_FILE, lockResults } from './lock.js';
import { runGroupsOnPool, resolveWorkers, SuitePool, suiteUnitContext, type PoolEvent } from './pool.js';
import type { RunRecord } from './record.js';
import type { UnitHandler } from '../pool/types.js';
import { groupOf, type Unit } from './unit.js';
import { runHalvingOnFailure } from './retry.js';
import type { Shard } from './shard.js';
import { runProtocol } from './tuning/run.js';
import { reportProtocolOf } from './tuning/protocol.js';
import { readRuns } from '../reporting/load.js';
import { ExistingResultsError, openStore } from './store.js';
import { memoryBudget, memoryUsage } from '../backend/memory.js';
import { guardWasmHeap, restartWasmBackend, wasmHeapBytes } from '../backend/wasm/heap.js';
// Lets a learned optimizer's ES meta-training use worker processes (metaTrain.workers > 1).
import '../meta/es/esPairs.js';
import '../meta/pes/pesParticles.js';

export interface RunOptions {
  out: string;
  backend?: BackendRequest;
  resume?: boolean;
  /** Move existing results aside (into <out>/.previous/<time>/) instead of refusing. */
  replace?: boolean;
  seeds?: number;
  /** Progress lines (meta-training, report); a progress bar is drawn on a TTY. */
  log?: (line: string) => void;
  command?: string;
  /** Worker processes for the run groups: 1 (the default) runs them in this process; 'auto' = available cores on wasm/cpu, 1 on GPU backends. */
  workers?: number | 'auto';
  /** Run only this deterministic share of the suite's groups (see shard.ts); merge the shards with `alphaopt merge`. */
  shard?: Shard;
  /** Bytes a group may use at most (e.g. a worker's share of the machine); lowers the backend's own limit. */
  memoryLimit?: number;
  /** The worker pool's events (units started, finished, retried, failed; by process), with workers > 1. */
  onPoolEvent?(event: PoolEvent): void;
}

export interface RunSummary {
  out: string;
  backend: BackendChoice;
  runs: number;
  skipped: number;
  wallMs: number;
  report: ReportResult;
}

async function moveAside(out: string): Promise<string | undefined> {
  if (!existsSync(path.join(out, 'runs.jsonl'))) return undefined;
  const target = path.join(out, '.previous', new Date().toISOString().replace(/[:.]/g, '-'));
  await mkdir(target, { recursive: true });
  for (const entry of await readdir(out)) {
    if (entry !== '.previous' && entry !== LOCK_FILE) await rename(path.join(out, entry), path.join(target, entry));
  }
  return target;
}

type SuiteProvenance = Provenance & { suite: string; seeds: number; steps: number; shard?: Shard; earlierInvocations?: SuiteProvenance[] };

/** The provenance of the invocations that wrote a folder before this one (read from its provenance.json), oldest first. */
async function earlierInvocations(out: string): Promise<SuiteProvenance[]> {
  const file = path.join(out, 'provenance.json');
  if (!existsSync(file)) return [];
  try {
    const previous = JSON.parse(await readFile(file, 'utf8')) as SuiteProvenance;
    const { earlierInvocations: older = [], ...own } = previous;
    return [...older, own];
  } catch {
    throw new Error(`${file}: not valid JSON; move it aside (the runs in runs.jsonl are untouched) and resume again`);
  }
}

/** Builds the rule of a group's rows (per-row grid values as [rows, 1] tensors); learned optimizers from `learned`, at the rows' grid point. */
export function ruleBuilder(group: Group, learned: Map<string, LearnedOptimizer>) {
  return (rows: Row[]) => {
    const { optimizer } = group;
    if (optimizer.type === 'learned') return learnedRule(learned.get(optimizer.name)!, optimizer.mode, sharedPoint(optimizer.grid, optimizer.name, rows));
    return gridRule(optimizer.spec, optimizer.name, Object.keys(optimizer.grid), rows);
  };
}

/**
 * Splits planned groups so each fits the backend's memory (one probe step per task and
 * optimizer, see sizing.ts): the suite runner and queue submission size groups alike.
 */
export async function sizeForBackend(
  suite: Suite,
  planned: Group[],
  backend: ConcreteBackend,
  learned: Map<string, LearnedOptimizer>,
  options: { memoryLimit?: number; log?: (line: string) => void; recover?: (error: unknown) => Promise<void>; timeSteps?: boolean },
): Promise<Group[]> {
  // On wasm the budget is the heap's size, which holds the module itself and free space besides tensors.
  const baseBytes = wasmHeapBytes() ?? tf.memory().numBytes;
  return sizeGroups(planned, {
    budget: memoryBudget(backend, options.memoryLimit),
    baseBytes,
    buildRule: (g) => ruleBuilder(g, learned),
    ...(suite.evaluationLimit === undefined ? {} : { evaluationLimit: suite.evaluationLimit }),
    ...(options.log === undefined ? {} : { log: options.log }),
    ...(options.recover === undefined ? {} : { recover: options.recover }),
    ...(options.timeSteps === undefined ? {} : { timeSteps: options.timeSteps }),
  });
}

export interface GroupHooks {
  /** Records of each part of the group that finished (a group that runs out of memory runs again in halves). */
  append(records: RunRecord[]): Promise<void>;
  /** After an out-of-memory failure, before the retry: e.g. restart a wasm module that trapped. */
  recover(error: unknown): Promise<void>;
  log?: (line: string) => void;
  /** Run at most this many rows together (the size that last worked for this task and optimizer). */
  cap?: number;
}

/**
 * One planned group, run in this process, in halves when it runs out of memory anyway:
 * the same call whether the group came from the suite loop, a pool worker or a queue
 * job. Each record carries the memory its group used. Returns the rows that ran together last.
 */
export async function runPlannedGroup(suite: Suite, group: Group, backend: string, learned: Map<string, LearnedOptimizer>, hooks: GroupHooks): Promise<number> {
  return runHalvingOnFailure(group, hooks.cap ?? group.rows.length, {
    run: (rows) =>
      runGroup({
        task: group.task,
        optimizer: group.optimizer.name,
        rows,
        steps: suite.steps,
        backend,
        buildRule: ruleBuilder(group, learned),
        divergenceFactor: suite.divergenceFactor,
        ...(suite.evaluateEvery === undefined ? {} : { evaluateEvery: suite.evaluateEvery }),
        ...(suite.evaluationLimit === undefined ? {} : { evaluationLimit: suite.evaluationLimit }),
        ...(suite.targetAccuracy === undefined ? {} : { targetAccuracy: suite.targetAccuracy }),
        ...(suite.evaluation === undefined ? {} : { evaluation: group.evaluation === 'final' ? { ...suite.evaluation, every: suite.steps } : suite.evaluation }),
      }),
    finished: async (records, rows) => {
      const memory = { groupRows: rows, ...memoryUsage(), ...(group.size === undefined || rows !== group.size.rows ? {} : { estimatedBytes: Math.round(group.size.estimatedBytes) }) };
      await hooks.append(records.map((r) => ({ ...r, memory })));
    },
    recover: hooks.recover,
    ...(hooks.log === undefined ? {} : { log: hooks.log }),
  });
}

/** This process as a pool worker (pool.ts): this suite, backend and learned optimizers, and the call above. */
export function inProcessHandler(suite: Suite, backend: string, learned: Map<string, LearnedOptimizer>, recover: (error: unknown) => Promise<void>): UnitHandler {
  return {
    async run(unit: unknown): Promise<RunRecord[]> {
      const records: RunRecord[] = [];
      await runPlannedGroup(suite, groupOf(suite, unit as Unit), backend, learned, { append: async (part) => void records.push(...part), recover });
      return records;
    },
  };
}

/** Meta-training curves of the learned optimizers, from their checkpoints' metatrain.json, saved as DIR/metatraining.json for the report. */
export async function writeMetaTraining(suite: Suite, out: string): Promise<MetaTrainingRecord[]> {
  const metaTraining: MetaTrainingRecord[] = [];
  for (const optimizer of suite.optimizers) {
    if (optimizer.type !== 'learned') continue;
    const file = path.join(checkpointDir(optimizer, out), 'metatrain.json');
    if (existsSync(file)) metaTraining.push({ optimizer: optimizer.name, report: (JSON.parse(await readFile(file, 'utf8')) as { report: MetaTrainReport }).report });
  }
  if (metaTraining.length > 0) await writeFile(path.join(out, 'metatraining.json'), `${JSON.stringify(metaTraining)}\n`);
  return metaTraining;
}

export async function runSuite(suite: Suite, options: RunOptions): Promise<RunSummary> {
  const log = options.log ?? (() => undefined);
  const existed = existsSync(options.out);
  // One writer per folder: a second run (or --resume) on it while this one writes is refused.
  const lock = await lockResults(options.out, options.command ?? process.argv.slice(1).join(' '), log);
  try {
    return await runLocked(suite, options, log);
  } finally {
    await lock.release();
    // A start that failed in a folder it created leaves no empty folder behind.
    if (!existed && existsSync(options.out) && (await readdir(options.out)).length === 0) await rmdir(options.out);
  }
}

async function runLocked(suite: Suite, options: RunOptions, log: (line: string) => void): Promise<RunSummary> {
  const started = performance.now();
  const runs = path.join(options.out, 'runs.jsonl');
  if (existsSync(runs) && options.resume !== true && options.replace !== true) throw new ExistingResultsError(runs);
  const backend = await setupBackend(options.backend ?? suite.backend ?? 'auto');
  log(`backend: ${backend.backend} (${backend.reason})`);
  const workers = resolveWorkers(options.workers, backend.backend);
  // Started now, kept for every phase (pool.ts, SuitePool): the children start up while this process prepares.
  const runCount = workers > 1 ? planGroups(suite, options.seeds ?? suite.seeds, new Set()).reduce((n, g) => n + g.rows.length, 0) : 0;
  const pool = workers > 1 ? new SuitePool(workers, suiteUnitContext(suite, { backend: backend.backend, out: options.out, ...(options.memoryLimit === undefined ? {} : { memoryLimit: options.memoryLimit }) }), runCount, options.onPoolEvent) : undefined;
  try {
    return await runPrepared(suite, options, log, { started, runs, backend, workers, ...(pool === undefined ? {} : { pool }) });
  } finally {
    pool?.close();
  }
}

async function runPrepared(suite: Suite, options: RunOptions, log: (line: string) => void, run: { started: number; runs: string; backend: BackendChoice; workers: number; pool?: SuitePool }): Promise<RunSummary> {
  const { started, runs, backend, workers } = run;
  // Everything that can stop the start is checked before anything in the folder is moved or written:
  // datasets (a missing file fails here), tasks' meta-learned starts and the learned optimizers' checkpoints.
  for (const task of suite.tasks) await prepareTask(task, { log });
  for (const optimizer of suite.optimizers) {
    if (optimizer.type === 'learned') await checkLearned(optimizer, options.out, options.replace === true);
  }
  const seeds = options.seeds ?? suite.seeds;
  // Collected before --replace moves tracked results aside, which would make a clean checkout look dirty.
  const provenance: SuiteProvenance = {
    ...collectProvenance(backend.backend, backend.detail, options.command),
    suite: path.relative(process.cwd(), suite.file),
    seeds,
    steps: suite.steps,
    ...(options.shard === undefined ? {} : { shard: options.shard }),
  };
  let moved: string | undefined;
  if (options.replace === true) {
    moved = await moveAside(options.out);
    if (moved !== undefined) log(`previous results moved to ${moved}`);
  }
  const store = await openStore(options.out, { resume: options.resume === true });
  // A resumed folder holds runs of earlier invocations too: keep their provenance, newest last.
  const earlier = options.resume === true ? await earlierInvocations(options.out) : [];
  if (earlier.length > 0) provenance.earlierInvocations = earlier;
  await writeFile(path.join(options.out, 'suite.json'), `${JSON.stringify(suite.raw, null, 2)}\n`);
  await writeFile(path.join(options.out, 'provenance.json'), `${JSON.stringify(provenance, null, 2)}\n`);

  let total = 0;
  // One call per phase of the suite's tuning protocol (one call when grid points are chosen on the scored seeds).
  const execute = async (planned: Group[], tag: (record: RunRecord) => RunRecord): Promise<void> => {
  if (planned.length === 0) return;
  const phaseRuns = planned.reduce((n, g) => n + g.rows.length, 0);
  total += phaseRuns;
  const learned = new Map<string, LearnedOptimizer>();
  const prepareAll = async () => {
    for (const optimizer of suite.optimizers) {
      if (optimizer.type === 'learned' && planned.some((g) => g.optimizer === optimizer)) learned.set(optimizer.name, await prepareLearned(optimizer, options.out, log, await fingerprintOf(suite, optimizer)));
    }
  };
  try {
    await prepareAll();
    if (backend.backend === 'wasm' && options.memoryLimit !== undefined) guardWasmHeap(options.memoryLimit);
    const recover = async (error: unknown) => {
      // A trap leaves the wasm module in whatever state it was mid-kernel: start a fresh one, and rebuild what lived on it.
      if (backend.backend !== 'wasm' || !(error instanceof WebAssembly.RuntimeError)) return;
      log('the wasm module trapped: restarting it');
      for (const optimizer of learned.values()) optimizer.dispose();
      await restartWasmBackend();
      await prepareAll();
    };
    // Step times weigh the pool's units (pool.ts, balancedUnits); the in-process loop has no use for them.
    const groups = await sizeForBackend(suite, planned, backend.backend, learned, { log, recover, timeSteps: workers > 1, ...(options.memoryLimit === undefined ? {} : { memoryLimit: options.memoryLimit }) });
    const bar = process.stderr.isTTY
      ? new cliProgress.SingleBar({ format: '{bar} {percentage}% | ETA {eta_formatted} | {value}/{total} runs | {what}', stream: process.stderr }, cliProgress.Presets.shades_classic)
      : undefined;
    bar?.start(phaseRuns, 0, { what: '' });
    let finished = 0;
    const appendCounted = async (records: RunRecord[]) => {
      await store.append(records.map(tag));
      finished += records.length;
      bar?.update(finished);
    };
    if (workers > 1 && groups.length > 1) {
      // Each worker loads the checkpoints prepared above, and halves a group that runs out of memory itself; records come back to this one writer.
      await runGroupsOnPool(suite, groups, { workers, backend: backend.backend, out: options.out, append: appendCounted, log, local: inProcessHandler(suite, backend.backend, learned, recover), ...(options.memoryLimit === undefined ? {} : { memoryLimit: options.memoryLimit }), ...(run.pool === undefined ? {} : { pool: run.pool }) });
    } else {
      // After an out-of-memory retry, later groups of the same task and optimizer start at the size that worked.
      const caps = new Map<string, number>();
      for (const group of groups) {
        bar?.update(finished, { what: `${group.task.id} · ${group.optimizer.name}` });
        const pair = `${group.task.id}\u0000${group.optimizer.name}`;
        caps.set(pair, await runPlannedGroup(suite, group, backend.backend, learned, { append: appendCounted, recover, log, ...(caps.has(pair) ? { cap: caps.get(pair)! } : {}) }));
      }
    }
    bar?.stop();
  } finally {
    for (const optimizer of learned.values()) optimizer.dispose();
    if (backend.backend === 'wasm' && options.memoryLimit !== undefined) guardWasmHeap();
  }
  };
  // No runs.jsonl yet (a held-out suite whose tuning phase had nothing to run): no records.
  await runProtocol(suite, seeds, options.shard, { execute, records: async () => (existsSync(runs) ? (await readRuns(runs)).records : []), done: () => store.done, log });

  const metaTraining = await writeMetaTraining(suite, options.out);
  const wallMs = performance.now() - started;
  const landscapes = new Map(suite.tasks.filter((t) => t.landscape !== undefined).map((t) => [t.id, t.landscape!]));
  // Imported here, not at the top: pool and queue workers load this module for runPlannedGroup and never write a report (the plotting modules cost each one ~0.25 s of CPU; test/pool-startup.test.ts).
  const { describeSkipped, writeReport } = await import('../reporting/index.js');
  const report = await writeReport(options.out, {
    contour: (id) => landscapes.get(id),
    metaTraining,
    protocol: reportProtocolOf(suite),
    // Plots whose inputs did not change are copied from the results --replace moved aside.
    ...(moved === undefined ? {} : { reuseFrom: path.join(moved, 'plots') }),
    header: [
      `Suite \`${provenance.suite}\` (${suite.description ?? suite.name}): ${suite.tasks.length} tasks × ${suite.optimizers.length} optimizers × ${seeds} seeds, ${suite.steps} steps.`,
      describeProvenance(provenance),
      `This invocation ran ${total} runs (${store.done.size - total} were already recorded) in ${(wallMs / 1000).toFixed(1)} s.`,
    ],
  });
  for (const line of describeSkipped(path.join(options.out, 'runs.jsonl'), report)) log(line);
  log(`report: ${report.files.length} files in ${options.out}${report.unchanged.length > 0 ? ` (${report.unchanged.length} plots unchanged, not redrawn)` : ''}`);
  return { out: options.out, backend, runs: total, skipped: store.done.size - total, wallMs, report };
}
