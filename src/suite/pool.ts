/**
 * A suite's run groups on the worker pool (src/pool/workerPool.ts): each group is a
 * unit, its records come back to this process, the one writer.
 *
 * Results do not depend on the number of workers: a unit carries its rows (seeds
 * included) and runs the same code as the in-process loop, and the file is put back in
 * plan order at the end. Records of finished units are appended as they arrive.
 *
 * The runner's own process is one of the workers (it has the suite, the backend and
 * the learned optimizers ready), and the groups are balanced for the workers: split
 * when there are too few to keep every worker busy to the end, longest first.
 */
import os from 'node:os';
import path from 'node:path';
import type { ConcreteBackend } from '../backend/names.js';
import { runOnPool, WorkerPool, type PoolEvent, type PoolUnitFailure } from '../pool/workerPool.js';
import type { Suite } from './decode.js';
import { sortRunsFile } from './order.js';
import type { UnitHandler } from '../pool/types.js';
import { splitGroup, type Group } from './plan.js';
import type { RunRecord } from './record.js';
import { runKeysOf, unitOf, type Unit, type UnitContext } from './unit.js';

export type { PoolEvent } from '../pool/workerPool.js';

export interface PoolOptions {
  workers: number;
  context: UnitContext;
  /** Called once per finished unit, one call at a time. */
  write(unit: Unit, records: RunRecord[]): Promise<void>;
  onEvent?(event: PoolEvent): void;
  /** Tries per unit before it is reported failed (default 2: once, then once more on another worker). */
  attempts?: number;
  /** This process's handler: it then is one of the `workers` (see WorkerPoolOptions.local). */
  local?: () => Promise<UnitHandler>;
}

export interface UnitFailure {
  key: string;
  runKeys: string[];
  reasons: string[];
}

export class PoolFailure extends Error {
  constructor(
    readonly failures: UnitFailure[],
    out: string,
  ) {
    super(
      `${failures.length} unit(s) failed on every try; the runs of the other units are kept in ${path.join(out, 'runs.jsonl')} (--resume retries only what is missing):\n` +
        failures.map((f) => `  - ${f.key} (${f.runKeys.length} runs, first ${f.runKeys[0]}): ${f.reasons.join(' / then: ')}`).join('\n'),
    );
    this.name = 'PoolFailure';
  }
}

/** `--workers auto`: one worker per core on CPU backends; GPU backends share one device, so one process drives it. */
export function resolveWorkers(requested: number | 'auto' | undefined, backend: ConcreteBackend): number {
  if (requested === undefined) return 1;
  if (requested !== 'auto') return requested;
  return backend === 'wasm' || backend === 'cpu' ? os.availableParallelism() : 1;
}

export async function runUnitsOnPool(units: Unit[], options: PoolOptions & { pool?: SuitePool }): Promise<UnitFailure[]> {
  const byKey = new Map(units.map((u) => [u.key, u]));
  const failures = options.pool === undefined ? await runOnPool<Unit, RunRecord[]>(units, { ...options, handler: 'suite', context: options.context }) : await options.pool.run(units, options);
  return failures.map((f) => ({ key: f.key, runKeys: runKeysOf(byKey.get(f.key)!), reasons: f.reasons }));
}

/** What a pool worker opens with to run this suite's units, as the runner's process sees it. */
export function suiteUnitContext(suite: Suite, options: { backend: ConcreteBackend; out: string; memoryLimit?: number }): UnitContext {
  return { suiteRaw: suite.raw, suiteFile: path.resolve(suite.file), backend: options.backend, out: path.resolve(options.out), ...(suite.dataDir === undefined ? {} : { dataDir: path.resolve(suite.dataDir) }), ...(options.memoryLimit === undefined ? {} : { memoryLimit: options.memoryLimit }) };
}

/**
 * One pool for a whole `alphaopt run --workers N` (N > 1): its children start when the
 * run starts, so their start-up (Node, tfjs, the backend, the suite: ~0.7 s of CPU each,
 * bench/README.md "pool start-up") overlaps this process's own preparation (data,
 * checkpoints, sizing) instead of following it; and they serve every phase of a
 * held-out suite (tune, bracket, score), where a pool per phase paid that start-up and
 * the children's JIT warm-up once per phase. This process's slot runs each phase's
 * units with that phase's handler (its learned optimizers), given with each batch.
 */
export class SuitePool {
  private readonly pool: WorkerPool<Unit, RunRecord[]>;
  private batch: { local?: UnitHandler; onEvent?(event: PoolEvent): void } = {};

  /** `runs`: the most units a phase can have (its runs); no more children than that are started before the first phase. */
  constructor(workers: number, context: UnitContext, runs: number, onEvent?: (event: PoolEvent) => void) {
    const local: UnitHandler = {
      run: (unit) => {
        if (this.batch.local === undefined) throw new Error('the suite pool ran a unit in this process without a handler for it');
        return this.batch.local.run(unit);
      },
    };
    this.pool = new WorkerPool<Unit, RunRecord[]>({
      workers,
      handler: 'suite',
      context,
      local: async () => local,
      onEvent: (event) => {
        onEvent?.(event);
        this.batch.onEvent?.(event);
      },
    });
    this.pool.start(runs - 1);
  }

  /** One batch of units (one phase): `local` is this process's handler for it, `onEvent` its listener. */
  async run(units: Unit[], options: Pick<PoolOptions, 'write' | 'local' | 'onEvent'>): Promise<PoolUnitFailure[]> {
    this.batch = { ...(options.local === undefined ? {} : { local: await options.local() }), ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }) };
    try {
      return await this.pool.run(units, options.write);
    } finally {
      this.batch = {};
    }
  }

  close(): void {
    this.pool.close();
  }
}

/** Fewer units than this per worker and the last ones run while other workers idle: split the largest groups. */
export const UNITS_PER_WORKER = 4;

/**
 * What a row of each group weighs: its measured step time (Group.rowStepMs, from the sizing probe) where there is one,
 * else that of another group of the same task and optimizer, else the median of the measured ones; 1 for every row when
 * nothing was measured (a plan that was never sized), which makes a group's weight its row count.
 */
function rowWeights(groups: Group[]): (group: Group) => number {
  const pair = (g: Group) => `${g.task.id}\u0000${g.optimizer.name}`;
  const byPair = new Map<string, number>();
  for (const g of groups) if (g.rowStepMs !== undefined && !byPair.has(pair(g))) byPair.set(pair(g), g.rowStepMs);
  const measured = [...byPair.values()].sort((a, b) => a - b);
  if (measured.length === 0) return () => 1;
  const median = measured[Math.floor(measured.length / 2)]!;
  // A probe can read 0 ms on a coarse clock; a row is never free.
  const floor = Math.max(median, 1e-3) * 1e-3;
  return (g) => Math.max(g.rowStepMs ?? byPair.get(pair(g)) ?? median, floor);
}

/**
 * The groups as units for `workers`, weighed by their rows' cost (rowWeights): the costliest group halved until there
 * are UNITS_PER_WORKER per worker and none weighs more than a 1/(UNITS_PER_WORKER · workers) share of the phase (or
 * every group is one run), then costliest first, so the last units to finish are short. Without the second rule a
 * learned optimizer's group (l2l-mnist-200's LSTM rows cost ~10 baseline rows) stayed one unit that one worker ran
 * for minutes after the other had finished. A run's result does not depend on the group it ran in
 * (test/pool.test.ts), and the runner puts the file in plan order.
 */
export function balancedUnits(groups: Group[], steps: number, workers: number): Unit[] {
  const weight = rowWeights(groups);
  const cost = (g: Group) => g.rows.length * weight(g);
  const parts = [...groups];
  const target = UNITS_PER_WORKER * workers;
  const share = parts.reduce((sum, g) => sum + cost(g), 0) / target;
  for (;;) {
    let costliest = -1;
    parts.forEach((g, i) => {
      if (g.rows.length >= 2 && (costliest < 0 || cost(g) > cost(parts[costliest]!))) costliest = i;
    });
    if (costliest < 0 || (parts.length >= target && cost(parts[costliest]!) <= share)) break;
    const group = parts[costliest]!;
    parts.splice(costliest, 1, ...splitGroup(group, Math.ceil(group.rows.length / 2)));
  }
  // Array.prototype.sort is stable: equal groups keep the plan's order.
  return parts.sort((a, b) => cost(b) - cost(a)).map((g) => unitOf(g, steps));
}

/** The runner's pool path: its groups as units, records appended as they come, the file put in plan order at the end. */
export async function runGroupsOnPool(
  suite: Suite,
  groups: Group[],
  options: {
    workers: number;
    backend: ConcreteBackend;
    out: string;
    append(records: RunRecord[]): Promise<void>;
    log(line: string): void;
    onEvent?(event: PoolEvent): void;
    memoryLimit?: number;
    /** This process's own handler (runner.ts's inProcessHandler): it then runs units too, as one of the workers. */
    local?: UnitHandler;
    /** The run's pool (started with the run, kept across phases); without it, a pool is opened for these groups and closed after. */
    pool?: SuitePool;
  },
): Promise<void> {
  const units = balancedUnits(groups, suite.steps, options.workers);
  const local = options.local;
  options.log(`${units.length} run groups on ${options.workers} worker processes${local === undefined ? '' : ' (this one and ' + (options.workers - 1) + ' more)'}`);
  const failures = await runUnitsOnPool(units, {
    workers: options.workers,
    context: suiteUnitContext(suite, options),
    write: (_unit, records) => options.append(records),
    ...(options.pool === undefined ? {} : { pool: options.pool }),
    ...(local === undefined ? {} : { local: async () => local }),
    onEvent: (event) => {
      if (event.type === 'retry') options.log(`unit ${event.key}: ${event.reason}; retrying on another worker`);
      options.onEvent?.(event);
    },
  });
  await sortRunsFile(path.join(options.out, 'runs.jsonl'), suite);
  if (failures.length > 0) throw new PoolFailure(failures, options.out);
}
