/**
 * A local worker pool: child processes, each with its own tfjs backend (wasm is
 * single-threaded, so one process per core), take units one at a time and send their
 * results back to this process, the one that combines or writes them.
 *
 * What a unit is and how a worker runs it is a handler's business (handlers.ts: a
 * suite's run groups, ES perturbation pairs); the pool only moves JSON units and
 * results. Results do not depend on the number of workers as long as a unit carries
 * everything its result depends on (seeds included) and the caller combines results
 * by key. A unit whose worker dies (kill -9, out of memory, a wasm trap) or throws is
 * retried once on a fresh worker, then reported with its key; results of finished
 * units are handed over as they arrive, so they are never lost.
 *
 * The processes live until `close()`, so a caller with many small batches (one ES
 * iteration after another) pays their start-up once.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HandlerName } from './types.js';

export interface PoolUnit {
  key: string;
}

/** Messages between the pool and a worker (Node's IPC channel, JSON). */
export type ToWorker = { type: 'init'; handler: HandlerName; context: unknown } | { type: 'unit'; unit: PoolUnit };
export type FromWorker = { type: 'started'; key: string } | { type: 'result'; key: string; result: unknown } | { type: 'error'; key: string; message: string };

export interface PoolEvent {
  type: 'started' | 'finished' | 'retry' | 'failed';
  key: string;
  pid: number;
  reason?: string;
}

export interface WorkerPoolOptions {
  workers: number;
  /** Which handler the workers run units with, and what it opens with (sent once to each worker). */
  handler: HandlerName;
  context: unknown;
  onEvent?(event: PoolEvent): void;
  /** Tries per unit before it is reported failed (default 2: once, then once more on another worker). */
  attempts?: number;
}

export interface PoolUnitFailure {
  key: string;
  reasons: string[];
}

const here = fileURLToPath(import.meta.url);
/** The worker's entry: worker.js beside this file (worker.ts when run from source with tsx). */
const workerFile = path.join(path.dirname(here), `worker${path.extname(here)}`);

interface Slot {
  child: ChildProcess;
  busy?: string;
  stderr: string;
}

interface UnitState<U> {
  unit: U;
  tries: number;
  status: 'pending' | 'running' | 'done' | 'failed';
  reasons: string[];
}

interface Batch<U, R> {
  states: Map<string, UnitState<U>>;
  queue: string[];
  write(unit: U, result: R): Promise<void>;
  writes: Promise<void>;
  settled: boolean;
  resolve(failures: PoolUnitFailure[]): void;
  reject(error: unknown): void;
}

export class WorkerPool<U extends PoolUnit, R> {
  private readonly slots = new Set<Slot>();
  private batch: Batch<U, R> | undefined;
  private idleDeaths = 0;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {}

  /**
   * Runs `units` (keys unique), calling `write` once per finished unit, one call at a
   * time; resolves with the units that failed on every try. One batch at a time.
   */
  run(units: U[], write: (unit: U, result: R) => Promise<void>): Promise<PoolUnitFailure[]> {
    if (this.closed) return Promise.reject(new Error('the worker pool is closed'));
    if (this.batch !== undefined) return Promise.reject(new Error('the worker pool runs one batch at a time'));
    return new Promise<PoolUnitFailure[]>((resolve, reject) => {
      this.batch = {
        states: new Map(units.map((unit) => [unit.key, { unit, tries: 0, status: 'pending', reasons: [] }])),
        queue: units.map((u) => u.key),
        write,
        writes: Promise.resolve(),
        settled: false,
        resolve,
        reject,
      };
      this.dispatch();
    });
  }

  /** Ends every worker process. */
  close(): void {
    this.closed = true;
    for (const slot of this.slots) slot.child.kill('SIGKILL');
    this.slots.clear();
  }

  private finish(batch: Batch<U, R>, error?: unknown): void {
    if (batch.settled) return;
    batch.settled = true;
    if (this.batch === batch) this.batch = undefined;
    // A worker still busy belongs to a batch that gave up: it cannot be trusted with the next one.
    for (const slot of this.slots) {
      if (slot.busy === undefined) continue;
      this.slots.delete(slot);
      slot.child.kill('SIGKILL');
    }
    batch.writes.then(
      () => (error === undefined ? batch.resolve([...batch.states.values()].filter((s) => s.status === 'failed').map((s) => ({ key: s.unit.key, reasons: s.reasons }))) : batch.reject(error)),
      batch.reject,
    );
  }

  private fail(batch: Batch<U, R>, state: UnitState<U>, pid: number, reason: string): void {
    state.reasons.push(`worker ${pid}: ${reason}`);
    if (state.tries < (this.options.attempts ?? 2)) {
      state.status = 'pending';
      batch.queue.unshift(state.unit.key);
      this.options.onEvent?.({ type: 'retry', key: state.unit.key, pid, reason });
    } else {
      state.status = 'failed';
      this.options.onEvent?.({ type: 'failed', key: state.unit.key, pid, reason });
    }
  }

  private dispatch(): void {
    const batch = this.batch;
    if (batch === undefined || batch.settled) return;
    if (![...batch.states.values()].some((s) => s.status === 'pending' || s.status === 'running')) {
      this.finish(batch);
      return;
    }
    // Keep `workers` processes while there is work (a dead one is replaced by a fresh one).
    const wanted = Math.min(this.options.workers, batch.queue.length + [...this.slots].filter((s) => s.busy !== undefined).length);
    while (this.slots.size < wanted) this.spawn();
    for (const slot of this.slots) {
      if (slot.busy !== undefined || batch.queue.length === 0) continue;
      const state = batch.states.get(batch.queue.shift()!)!;
      state.status = 'running';
      state.tries += 1;
      slot.busy = state.unit.key;
      slot.child.send({ type: 'unit', unit: state.unit } satisfies ToWorker);
    }
  }

  private spawn(): void {
    const child = fork(workerFile, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const slot: Slot = { child, stderr: '' };
    this.slots.add(slot);
    // The last lines a worker wrote say why it died.
    child.stderr?.on('data', (chunk: Buffer) => {
      slot.stderr = (slot.stderr + chunk.toString()).slice(-2000);
    });
    child.on('message', (message: FromWorker) => {
      const batch = this.batch;
      const state = batch?.states.get(message.key);
      if (batch === undefined || state === undefined || !this.slots.has(slot)) return;
      if (message.type === 'started') {
        this.options.onEvent?.({ type: 'started', key: message.key, pid: child.pid! });
        return;
      }
      slot.busy = undefined;
      if (message.type === 'result') {
        // A unit counts once, whichever try finishes it.
        if (state.status !== 'done') {
          state.status = 'done';
          const index = batch.queue.indexOf(message.key);
          if (index >= 0) batch.queue.splice(index, 1);
          batch.writes = batch.writes.then(() => batch.write(state.unit, message.result as R));
          batch.writes.catch((error: unknown) => this.finish(batch, error));
          this.options.onEvent?.({ type: 'finished', key: message.key, pid: child.pid! });
        }
      } else {
        if (state.status === 'running') this.fail(batch, state, child.pid!, message.message);
        // A worker whose unit threw (a trap leaves wasm's heap unknown) is not trusted with another.
        this.slots.delete(slot);
        child.kill('SIGKILL');
      }
      this.dispatch();
    });
    child.on('error', () => undefined);
    child.on('exit', (code, signal) => {
      if (!this.slots.has(slot)) return;
      this.slots.delete(slot);
      const batch = this.batch;
      if (batch === undefined || batch.settled) return;
      const state = slot.busy === undefined ? undefined : batch.states.get(slot.busy);
      const last = slot.stderr.trim().split('\n').slice(-3).join(' ⏎ ');
      if (state !== undefined && state.status === 'running') this.fail(batch, state, child.pid!, `died (${signal ?? `exit code ${code}`})${last === '' ? '' : `: ${last}`}`);
      else if (++this.idleDeaths > 3 * this.options.workers) {
        this.finish(batch, new Error(`pool workers keep dying before taking work (last: ${signal ?? `exit code ${code}`}${last === '' ? '' : `: ${last}`})`));
        return;
      }
      this.dispatch();
    });
    child.send({ type: 'init', handler: this.options.handler, context: this.options.context } satisfies ToWorker);
  }
}

/** Opens a pool, runs one batch, closes it. */
export async function runOnPool<U extends PoolUnit, R>(units: U[], options: WorkerPoolOptions & { write(unit: U, result: R): Promise<void> }): Promise<PoolUnitFailure[]> {
  const pool = new WorkerPool<U, R>(options);
  try {
    return await pool.run(units, options.write);
  } finally {
    pool.close();
  }
}
