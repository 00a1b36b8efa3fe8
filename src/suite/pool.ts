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
 * The groups as units for `workers`: the largest group halved until there are
 * UNITS_PER_WORKER per worker (or every group is one run), then longest (most rows)
 * first, so the last units to finish are short. A run's result does not depend on the
 * group it ran in (test/pool.test.ts), and the runner puts the file in plan order.
 */
export function balancedUnits(groups: Group[], steps: number, workers: number): Unit[] {
  const parts = [...groups];
  while (parts.length < UNITS_PER_WORKER * workers) {
    let largest = 0;
    parts.forEach((g, i) => {
      if (g.rows.length > parts[largest]!.rows.length) largest = i;
    });
    const group = parts[largest]!;
    if (group.rows.length < 2) break;
    parts.splice(largest, 1, ...splitGroup(group, Math.ceil(group.rows.length / 2)));
  }
  // Array.prototype.sort is stable: equal groups keep the plan's order.
  return parts.sort((a, b) => b.rows.length - a.rows.length).map((g) => unitOf(g, steps));
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
