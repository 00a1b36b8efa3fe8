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
 *
 * Throughput (bench/README.md, "Worker pool"): with a `local` handler this process is
 * one of the `workers` and only workers − 1 children are started — it computes from
 * the first moment instead of waiting for a child's start-up, and no third process
 * competes for two cores. Each child holds up to PREFETCH units (it runs them in
 * order), so it never waits for a round trip through this process, which may be busy
 * computing its own unit. Units are dispatched in the caller's order: put the
 * longest first. When this process runs out of units while a child still holds one
 * it has not started (behind the one it runs, or while it starts up), this process
 * takes that unit back and runs it (`takeBack`): a batch then ends when the work
 * does, not a whole unit after this process went idle.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HandlerName, UnitHandler } from './types.js';

export interface PoolUnit {
  key: string;
}

/** Messages between the pool and a worker (Node's IPC channel, JSON). */
export type ToWorker = { type: 'init'; handler: HandlerName; context: unknown } | { type: 'unit'; unit: PoolUnit } | { type: 'cancel'; key: string };
export type FromWorker =
  | { type: 'started'; key: string; cpuMs: number }
  | { type: 'result'; key: string; result: unknown }
  | { type: 'error'; key: string; message: string }
  /** The answer to 'cancel' for a unit the worker had not started: it skipped it. */
  | { type: 'cancelled'; key: string }
  /** The worker opened its handler (tfjs, the backend, the task): it starts a unit as soon as it gets one. */
  | { type: 'ready' };

export interface PoolEvent {
  /**
   * 'takenBack': a unit sent to a child (`pid`) that had not started it, run by this process instead.
   * 'ready': the child `pid` opened its handler (its start-up is over); `key` is empty.
   */
  type: 'started' | 'finished' | 'retry' | 'failed' | 'takenBack' | 'ready';
  key: string;
  /** The process that ran it: this one's own pid for a unit run in process (`local`). */
  pid: number;
  /** The unit ran in this process (the `local` handler), not in a child. */
  local?: boolean;
  reason?: string;
  /**
   * 'started' in a child: the child's CPU time so far (user + system, all its threads), read by the child as it
   * starts the unit — its start-up at its first unit. Read there, not here: this process may take the message
   * only after its own unit, seconds later (bench/README.md, "pool start-up").
   */
  cpuMs?: number;
}

/** Units a child holds at once: the one it runs and the next, so it never waits for this process. */
export const PREFETCH = 2;

export interface WorkerPoolOptions {
  workers: number;
  /** Which handler the workers run units with, and what it opens with (sent once to each worker). */
  handler: HandlerName;
  context: unknown;
  onEvent?(event: PoolEvent): void;
  /** Tries per unit before it is reported failed (default 2: once, then once more on another worker). */
  attempts?: number;
  /**
   * This process's own handler (opened on first use): it then counts as one of the
   * `workers`, and workers − 1 children are started. It must give the same results as
   * the children's handler and must not share mutable state with the caller's code
   * that runs meanwhile. After a unit fails in it, it takes no more units.
   */
  local?: () => Promise<UnitHandler>;
}

export interface PoolUnitFailure {
  key: string;
  reasons: string[];
}

/**
 * V8 flags the children get on top of this process's own (a loader such as tsx's, heap limits): garbage collection
 * on the main thread. With V8's default GC helper threads one busy process keeps more than a core busy (bench/README.md,
 * "Worker pool"), so N workers on N cores slowed each other down. Not `--single-threaded`: that also keeps wasm code
 * in its baseline tier, and XNNPACK's kernels ran ~1.5× slower that way.
 */
export const CHILD_V8_FLAGS: readonly string[] = ['--single-threaded-gc'];

const here = fileURLToPath(import.meta.url);
/** The worker's entry: worker.js beside this file (worker.ts when run from source with tsx). */
const workerFile = path.join(path.dirname(here), `worker${path.extname(here)}`);

interface Slot {
  child: ChildProcess;
  /** Keys sent and not answered, in the order the child runs them (the first is running or about to). */
  inFlight: string[];
  /** The key of the last 'started' message: the unit the child runs. */
  running?: string;
  /**
   * Units taken back from this child (`takeBack`), until it answers for them: 'cancelled' if it skipped one,
   * its result (dropped: this process ran the unit) if it had started it before the 'cancel' arrived.
   */
  takenBack: Set<string>;
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
  private takeBackScheduled = false;
  /** The in-process slot: its handler, the unit it runs, and whether it still takes units. */
  private readonly local: { handler?: Promise<UnitHandler>; opened?: UnitHandler; busy?: string; retired: boolean };

  constructor(private readonly options: WorkerPoolOptions) {
    this.local = { retired: options.local === undefined };
  }

  /** Children this pool keeps while there is work: one per worker, less this process's slot. */
  private get children(): number {
    return this.options.workers - (this.local.retired ? 0 : 1);
  }

  /**
   * Starts the children now (each opens its handler: tfjs, the backend) so their
   * start-up overlaps whatever this process prepares before the first batch; at most
   * `max` of them (a batch with fewer units than children would leave the rest idle).
   */
  start(max = Infinity): void {
    if (this.closed) return;
    while (this.slots.size < Math.min(this.children, max)) this.spawn();
  }

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

  /** Ends every worker process and frees the in-process handler. */
  close(): void {
    this.closed = true;
    this.local.opened?.dispose?.();
    this.local.opened = undefined;
    for (const slot of this.slots) slot.child.kill('SIGKILL');
    this.slots.clear();
  }

  private finish(batch: Batch<U, R>, error?: unknown): void {
    if (batch.settled) return;
    batch.settled = true;
    if (this.batch === batch) this.batch = undefined;
    // A worker still busy belongs to a batch that gave up: it cannot be trusted with the next one.
    for (const slot of this.slots) {
      if (slot.inFlight.length === 0) continue;
      this.slots.delete(slot);
      slot.child.kill('SIGKILL');
    }
    batch.writes.then(
      () => (error === undefined ? batch.resolve([...batch.states.values()].filter((s) => s.status === 'failed').map((s) => ({ key: s.unit.key, reasons: s.reasons }))) : batch.reject(error)),
      batch.reject,
    );
  }

  private fail(batch: Batch<U, R>, state: UnitState<U>, pid: number, reason: string, local = false): void {
    state.reasons.push(`${local ? 'this process' : `worker ${pid}`}: ${reason}`);
    const where = local ? { pid, local } : { pid };
    if (state.tries < (this.options.attempts ?? 2)) {
      state.status = 'pending';
      batch.queue.unshift(state.unit.key);
      this.options.onEvent?.({ type: 'retry', key: state.unit.key, ...where, reason });
    } else {
      state.status = 'failed';
      this.options.onEvent?.({ type: 'failed', key: state.unit.key, ...where, reason });
    }
  }

  /** Units sent to a child that it never started go back to the front of the queue, no try spent. */
  private requeue(batch: Batch<U, R>, keys: string[]): void {
    for (const key of [...keys].reverse()) {
      const state = batch.states.get(key);
      if (state === undefined || state.status !== 'running') continue;
      state.status = 'pending';
      state.tries -= 1;
      batch.queue.unshift(key);
    }
  }

  /** A finished unit counts once, whichever try finishes it. */
  private done(batch: Batch<U, R>, state: UnitState<U>, result: R, pid: number, local: boolean): void {
    if (state.status === 'done') return;
    state.status = 'done';
    const index = batch.queue.indexOf(state.unit.key);
    if (index >= 0) batch.queue.splice(index, 1);
    batch.writes = batch.writes.then(() => batch.write(state.unit, result));
    batch.writes.catch((error: unknown) => this.finish(batch, error));
    this.options.onEvent?.({ type: 'finished', key: state.unit.key, pid, ...(local ? { local } : {}) });
  }

  private take(batch: Batch<U, R>): UnitState<U> {
    const state = batch.states.get(batch.queue.shift()!)!;
    state.status = 'running';
    state.tries += 1;
    return state;
  }

  /** Runs one unit in this process; the event loop turns meanwhile at the handler's awaits. */
  private runLocal(batch: Batch<U, R>, state: UnitState<U>): void {
    const key = state.unit.key;
    this.local.busy = key;
    void (async () => {
      let outcome: { result: R } | { error: unknown };
      try {
        // A unit's awaits may all be microtasks (wasm reads resolve at once): without a turn of the event loop here the
        // children's messages would wait until this process ran out of units, and the children idle after their PREFETCH.
        await new Promise<void>((resolve) => setImmediate(resolve));
        this.local.handler ??= this.options.local!();
        const handler = await this.local.handler;
        this.local.opened = handler;
        this.options.onEvent?.({ type: 'started', key, pid: process.pid, local: true });
        outcome = { result: (await handler.run(state.unit)) as R };
      } catch (error) {
        outcome = { error };
      }
      this.local.busy = undefined;
      if (this.batch !== batch || batch.settled) return;
      if ('result' in outcome) this.done(batch, state, outcome.result, process.pid, true);
      else {
        // Like a child whose unit threw: not trusted with another (a wasm trap leaves its heap unknown); a child takes its place.
        this.local.retired = true;
        if (state.status === 'running') this.fail(batch, state, process.pid, outcome.error instanceof Error ? outcome.error.message : String(outcome.error), true);
      }
      this.dispatch();
    })();
  }

  private dispatch(): void {
    const batch = this.batch;
    if (batch === undefined || batch.settled) return;
    if (![...batch.states.values()].some((s) => s.status === 'pending' || s.status === 'running')) {
      this.finish(batch);
      return;
    }
    // Keep `workers` processes while there is work (a dead child is replaced by a fresh one).
    const wanted = Math.min(this.children, batch.queue.length + [...this.slots].filter((s) => s.inFlight.length > 0).length);
    while (this.slots.size < wanted) this.spawn();
    // Children first (their next unit is sent before this process starts computing), then this process's slot.
    for (let depth = 1; depth <= PREFETCH; depth++) {
      for (const slot of this.slots) {
        if (slot.inFlight.length >= depth || batch.queue.length === 0 || slot.takenBack.has(batch.queue[0]!)) continue;
        const state = this.take(batch);
        slot.inFlight.push(state.unit.key);
        slot.child.send({ type: 'unit', unit: state.unit } satisfies ToWorker);
      }
      if (depth === 1 && !this.local.retired && this.local.busy === undefined && batch.queue.length > 0) this.runLocal(batch, this.take(batch));
    }
    if (this.idleHere(batch)) this.takeBackSoon(batch);
  }

  /** This process's slot takes units, runs none, and none are queued. */
  private idleHere(batch: Batch<U, R>): boolean {
    return this.batch === batch && !batch.settled && !this.local.retired && this.local.busy === undefined && batch.queue.length === 0;
  }

  /**
   * `takeBack` after two turns of the event loop (a poll phase between them): this process may come here straight
   * from its own unit, with a child's 'started' for the unit it would take back still unread.
   */
  private takeBackSoon(batch: Batch<U, R>): void {
    if (this.takeBackScheduled) return;
    this.takeBackScheduled = true;
    setImmediate(() =>
      setImmediate(() => {
        this.takeBackScheduled = false;
        if (this.idleHere(batch)) this.takeBack(batch);
      }),
    );
  }

  /**
   * This process is idle with nothing queued: it runs a unit a child holds but has not started (the last of its
   * prefetched ones, or any while the child still starts up) and tells the child to skip it. Without this, a batch's
   * end waited for the child to run its prefetched unit after the one it was running, while this process idled.
   * If the child started the unit before the 'cancel' arrived, both run it (same unit, same result) and the
   * child's result is dropped.
   */
  private takeBack(batch: Batch<U, R>): void {
    let from: { slot: Slot; key: string } | undefined;
    let most = 0;
    for (const slot of this.slots) {
      const waiting = slot.inFlight.filter((key) => key !== slot.running);
      if (waiting.length > most) {
        most = waiting.length;
        from = { slot, key: waiting[waiting.length - 1]! };
      }
    }
    const state = from === undefined ? undefined : batch.states.get(from.key);
    if (from === undefined || state === undefined || state.status !== 'running') return;
    const { slot, key } = from;
    slot.inFlight = slot.inFlight.filter((k) => k !== key);
    slot.takenBack.add(key);
    slot.child.send({ type: 'cancel', key } satisfies ToWorker);
    this.options.onEvent?.({ type: 'takenBack', key, pid: slot.child.pid! });
    this.runLocal(batch, state);
  }

  /** A child's message about a unit taken back from it: settles the take-back; an error still retires the child. */
  private takenBackMessage(slot: Slot, message: Exclude<FromWorker, { type: 'ready' }>): void {
    if (message.type === 'started') {
      slot.running = message.key;
      return;
    }
    slot.takenBack.delete(message.key);
    if (message.type !== 'error' || !this.slots.has(slot)) return;
    this.slots.delete(slot);
    slot.child.kill('SIGKILL');
    const batch = this.batch;
    if (batch === undefined || batch.settled) return;
    this.requeue(batch, slot.inFlight);
    this.dispatch();
  }

  private spawn(): void {
    const child = fork(workerFile, [], { execArgv: [...process.execArgv, ...CHILD_V8_FLAGS], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const slot: Slot = { child, inFlight: [], takenBack: new Set(), stderr: '' };
    this.slots.add(slot);
    // The last lines a worker wrote say why it died.
    child.stderr?.on('data', (chunk: Buffer) => {
      slot.stderr = (slot.stderr + chunk.toString()).slice(-2000);
    });
    child.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        this.options.onEvent?.({ type: 'ready', key: '', pid: child.pid! });
        return;
      }
      if (slot.takenBack.has(message.key)) {
        this.takenBackMessage(slot, message);
        return;
      }
      const batch = this.batch;
      const state = batch?.states.get(message.key);
      if (batch === undefined || state === undefined || !this.slots.has(slot)) return;
      if (message.type === 'started') {
        slot.running = message.key;
        this.options.onEvent?.({ type: 'started', key: message.key, pid: child.pid!, cpuMs: message.cpuMs });
        return;
      }
      if (message.type === 'cancelled') return;
      slot.inFlight = slot.inFlight.filter((key) => key !== message.key);
      if (message.type === 'result') this.done(batch, state, message.result as R, child.pid!, false);
      else {
        if (state.status === 'running') this.fail(batch, state, child.pid!, message.message);
        // A worker whose unit threw (a trap leaves wasm's heap unknown) is not trusted with another.
        this.slots.delete(slot);
        child.kill('SIGKILL');
        this.requeue(batch, slot.inFlight);
      }
      this.dispatch();
    });
    child.on('error', () => undefined);
    child.on('exit', (code, signal) => {
      if (!this.slots.has(slot)) return;
      this.slots.delete(slot);
      const batch = this.batch;
      if (batch === undefined || batch.settled) return;
      // A child last seen running a unit taken back from it had started none of its in-flight units: all go back, no try spent.
      const stale = slot.running !== undefined && slot.takenBack.has(slot.running);
      const [running, ...next] = stale ? [] : slot.inFlight;
      const state = running === undefined ? undefined : batch.states.get(running);
      const last = slot.stderr.trim().split('\n').slice(-3).join(' ⏎ ');
      this.requeue(batch, stale ? slot.inFlight : next);
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
