/**
 * A suite's run groups on the worker pool (src/pool/workerPool.ts): each group is a
 * unit, its records come back to this process, the one writer.
 *
 * Results do not depend on the number of workers: a unit carries its rows (seeds
 * included) and runs the same code as the in-process loop, and the file is put back in
 * plan order at the end. Records of finished units are appended as they arrive.
 */
import os from 'node:os';
import path from 'node:path';
import type { ConcreteBackend } from '../backend/names.js';
import { runOnPool, type PoolEvent } from '../pool/workerPool.js';
import type { Suite } from './decode.js';
import { sortRunsFile } from './order.js';
import type { Group } from './plan.js';
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

export async function runUnitsOnPool(units: Unit[], options: PoolOptions): Promise<UnitFailure[]> {
  const byKey = new Map(units.map((u) => [u.key, u]));
  const failures = await runOnPool<Unit, RunRecord[]>(units, { ...options, handler: 'suite', context: options.context });
  return failures.map((f) => ({ key: f.key, runKeys: runKeysOf(byKey.get(f.key)!), reasons: f.reasons }));
}

/** The runner's pool path: its groups as units, records appended as they come, the file put in plan order at the end. */
export async function runGroupsOnPool(
  suite: Suite,
  groups: Group[],
  options: { workers: number; backend: ConcreteBackend; out: string; append(records: RunRecord[]): Promise<void>; log(line: string): void; onEvent?(event: PoolEvent): void; memoryLimit?: number },
): Promise<void> {
  const units = groups.map((g) => unitOf(g, suite.steps));
  options.log(`${units.length} run groups on ${options.workers} worker processes`);
  const failures = await runUnitsOnPool(units, {
    workers: options.workers,
    context: { suiteRaw: suite.raw, suiteFile: path.resolve(suite.file), backend: options.backend, out: path.resolve(options.out), ...(suite.dataDir === undefined ? {} : { dataDir: path.resolve(suite.dataDir) }), ...(options.memoryLimit === undefined ? {} : { memoryLimit: options.memoryLimit }) },
    write: (_unit, records) => options.append(records),
    onEvent: (event) => {
      if (event.type === 'retry') options.log(`unit ${event.key}: ${event.reason}; retrying on another worker`);
      options.onEvent?.(event);
    },
  });
  await sortRunsFile(path.join(options.out, 'runs.jsonl'), suite);
  if (failures.length > 0) throw new PoolFailure(failures, options.out);
}
