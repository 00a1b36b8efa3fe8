/**
 * A local worker pool: child processes, each with its own tfjs backend (wasm is
 * single-threaded, so one process per core), take the planner's units one at a time
 * and send their records back to this process, the one writer.
 *
 * Results do not depend on the number of workers: a unit carries its rows (seeds
 * included) and runs the same code as the in-process loop, and the file is put back in
 * plan order at the end. A unit whose worker dies (kill -9, out of memory, a wasm trap)
 * or throws is retried once on a fresh worker, then reported with its key; records of
 * finished units are appended as they arrive, so they are never lost.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConcreteBackend } from '../backend/names.js';
import type { Suite } from './decode.js';
import { sortRunsFile } from './order.js';
import type { Group } from './plan.js';
import type { RunRecord } from './record.js';
import { runKeysOf, unitOf, type Unit } from './unit.js';
import type { UnitContext } from './unitRunner.js';

/** Messages between the pool and a worker (Node's IPC channel, JSON). */
export type ToWorker = { type: 'init'; context: UnitContext } | { type: 'unit'; unit: Unit };
export type FromWorker = { type: 'started'; key: string } | { type: 'records'; key: string; records: RunRecord[] } | { type: 'error'; key: string; message: string };

export interface PoolEvent {
  type: 'started' | 'finished' | 'retry' | 'failed';
  key: string;
  pid: number;
  reason?: string;
}

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

const here = fileURLToPath(import.meta.url);
/** The worker's entry: poolWorker.js beside this file (poolWorker.ts when run from source with tsx). */
const workerFile = path.join(path.dirname(here), `poolWorker${path.extname(here)}`);

interface Slot {
  child: ChildProcess;
  busy?: string;
  stderr: string;
}

interface UnitState {
  unit: Unit;
  tries: number;
  status: 'pending' | 'running' | 'done' | 'failed';
  reasons: string[];
}

export function runUnitsOnPool(units: Unit[], options: PoolOptions): Promise<UnitFailure[]> {
  const attempts = options.attempts ?? 2;
  const states = new Map(units.map((unit) => [unit.key, { unit, tries: 0, status: 'pending', reasons: [] } as UnitState]));
  const queue = units.map((u) => u.key);
  const slots = new Set<Slot>();
  let writes = Promise.resolve();
  let idleDeaths = 0;

  return new Promise<UnitFailure[]>((resolve, reject) => {
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      for (const slot of slots) slot.child.kill('SIGKILL');
      writes.then(
        () => (error === undefined ? resolve([...states.values()].filter((s) => s.status === 'failed').map((s) => ({ key: s.unit.key, runKeys: runKeysOf(s.unit), reasons: s.reasons }))) : reject(error)),
        reject,
      );
    };
    const active = () => [...states.values()].some((s) => s.status === 'pending' || s.status === 'running');

    const fail = (state: UnitState, pid: number, reason: string) => {
      state.reasons.push(`worker ${pid}: ${reason}`);
      if (state.tries < attempts) {
        state.status = 'pending';
        queue.unshift(state.unit.key);
        options.onEvent?.({ type: 'retry', key: state.unit.key, pid, reason });
      } else {
        state.status = 'failed';
        options.onEvent?.({ type: 'failed', key: state.unit.key, pid, reason });
      }
    };

    const dispatch = () => {
      if (settled) return;
      if (!active()) {
        finish();
        return;
      }
      // Keep `workers` processes while there is work (a dead one is replaced by a fresh one).
      const wanted = Math.min(options.workers, queue.length + [...slots].filter((s) => s.busy !== undefined).length);
      while (slots.size < wanted) spawn();
      for (const slot of slots) {
        if (slot.busy !== undefined || queue.length === 0) continue;
        const state = states.get(queue.shift()!)!;
        state.status = 'running';
        state.tries += 1;
        slot.busy = state.unit.key;
        slot.child.send({ type: 'unit', unit: state.unit } satisfies ToWorker);
      }
    };

    const spawn = () => {
      const child = fork(workerFile, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      const slot: Slot = { child, stderr: '' };
      slots.add(slot);
      // The last lines a worker wrote say why it died.
      child.stderr?.on('data', (chunk: Buffer) => {
        slot.stderr = (slot.stderr + chunk.toString()).slice(-2000);
      });
      child.on('message', (message: FromWorker) => {
        const state = states.get(message.key);
        if (state === undefined || settled) return;
        if (message.type === 'started') {
          options.onEvent?.({ type: 'started', key: message.key, pid: child.pid! });
          return;
        }
        slot.busy = undefined;
        if (message.type === 'records') {
          // A unit counts once, whichever try finishes it.
          if (state.status !== 'done') {
            state.status = 'done';
            const index = queue.indexOf(message.key);
            if (index >= 0) queue.splice(index, 1);
            writes = writes.then(() => options.write(state.unit, message.records));
            writes.catch(finish);
            options.onEvent?.({ type: 'finished', key: message.key, pid: child.pid! });
          }
        } else {
          if (state.status === 'running') fail(state, child.pid!, message.message);
          // A worker whose unit threw (a trap leaves wasm's heap unknown) is not trusted with another.
          slots.delete(slot);
          child.kill('SIGKILL');
        }
        dispatch();
      });
      child.on('error', () => undefined);
      child.on('exit', (code, signal) => {
        if (!slots.has(slot)) return;
        slots.delete(slot);
        if (settled) return;
        const state = slot.busy === undefined ? undefined : states.get(slot.busy);
        const last = slot.stderr.trim().split('\n').slice(-3).join(' ⏎ ');
        if (state !== undefined && state.status === 'running') fail(state, child.pid!, `died (${signal ?? `exit code ${code}`})${last === '' ? '' : `: ${last}`}`);
        else if (++idleDeaths > 3 * options.workers) {
          finish(new Error(`pool workers keep dying before taking work (last: ${signal ?? `exit code ${code}`}${last === '' ? '' : `: ${last}`})`));
          return;
        }
        dispatch();
      });
      child.send({ type: 'init', context: options.context } satisfies ToWorker);
    };

    dispatch();
  });
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
