/**
 * The worker pool: the same records whatever the number of workers, a worker killed
 * mid-unit has its unit redone (nothing lost, nothing twice), and a unit that keeps
 * failing is reported with its key while the other units' records are kept.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeSuite, type Suite } from '../src/suite/decode.js';
import { planGroups, splitGroup } from '../src/suite/plan.js';
import type { UnitHandler } from '../src/pool/types.js';
import { CHILD_V8_FLAGS, WorkerPool } from '../src/pool/workerPool.js';
import { balancedUnits, PoolFailure, runGroupsOnPool, runUnitsOnPool, UNITS_PER_WORKER, type PoolEvent } from '../src/suite/pool.js';
import { runKey, type RunRecord, runResult } from '../src/suite/record.js';
import { inProcessHandler, runSuite } from '../src/suite/runner.js';
import { openStore } from '../src/suite/store.js';
import { unitOf, type Unit } from '../src/suite/unit.js';

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'alphaopt-pool-'));

async function records(dir: string): Promise<RunRecord[]> {
  const text = await readFile(path.join(dir, 'runs.jsonl'), 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as RunRecord);
}

/** Everything but the wall time, which differs between any two runs. */
const numbers = (runs: RunRecord[]) => runs.map(runResult);

const suiteRaw = (steps: number, tasks: object[] = [{ task: 'rosenbrock' }, { task: 'randomQuadratic', options: { dimension: 3 }, id: 'q3' }]) => ({
  name: 'pool',
  backend: 'cpu',
  steps,
  seeds: 2,
  tasks,
  optimizers: [
    { name: 'sgd', rule: 'sgd', grid: { learningRate: [1e-3, 10] } },
    { name: 'adam', rule: 'adam' },
    { name: 'clipped sgd', rule: { rule: 'chain', options: { rules: [{ rule: 'clipByGlobalNorm', options: { maxNorm: 1 } }, { rule: 'sgd', options: { learningRate: 0.01 } }] } } },
  ],
});

test.serial('1 and 2 workers write the same records, in the same order (bit-identical losses)', async (t) => {
  const suite = decodeSuite(suiteRaw(40), 'pool.json');
  const one = await tempDir();
  const two = await tempDir();
  await runSuite(suite, { out: one, workers: 1 });
  const lines: string[] = [];
  await runSuite(suite, { out: two, workers: 2, log: (l) => lines.push(l) });
  t.true(lines.some((l) => /on 2 worker processes/.test(l)), 'the second run used the pool');
  const a = await records(one);
  const b = await records(two);
  t.is(a.length, 2 * (2 + 1 + 1) * 2);
  t.deepEqual(numbers(b), numbers(a));
  t.deepEqual(b.map((r) => r.finalLoss), a.map((r) => r.finalLoss));
});

test.serial('a worker killed mid-unit: its unit is redone on another worker, nothing is lost or written twice', async (t) => {
  const suite = decodeSuite(suiteRaw(400, [{ task: 'rosenbrock' }]), 'pool.json');
  const units = planGroups(suite, suite.seeds, new Set()).map((g) => unitOf(g, suite.steps));
  const written: RunRecord[] = [];
  const events: PoolEvent[] = [];
  let victim: string | undefined;
  const failures = await runUnitsOnPool(units, {
    workers: 2,
    context: { suiteRaw: suite.raw, suiteFile: path.resolve('pool.json'), backend: 'cpu', out: await tempDir() },
    write: async (_unit, records) => {
      written.push(...records);
    },
    onEvent: (event) => {
      events.push(event);
      if (event.type === 'started' && victim === undefined) {
        victim = event.key;
        process.kill(event.pid, 'SIGKILL');
      }
    },
  });
  t.deepEqual(failures, []);
  t.true(events.some((e) => e.type === 'retry' && e.key === victim && /SIGKILL/.test(e.reason ?? '')), 'the death was seen and the unit retried');
  const killedPid = events.find((e) => e.type === 'started' && e.key === victim)!.pid;
  t.true(events.some((e) => e.type === 'finished' && e.key === victim && e.pid !== killedPid), 'another worker finished it');
  const keys = written.map((r) => runKey(r));
  t.is(new Set(keys).size, keys.length, 'no run written twice');
  const planned = units.flatMap((u) => u.rows.map((row) => runKey({ task: u.task, optimizer: u.optimizer, hparams: row.hparams, seed: row.seed, steps: u.steps })));
  t.deepEqual([...keys].sort(), [...planned].sort(), 'every planned run written');
  // The redone unit's records equal the in-process run's.
  const reference = await tempDir();
  await runSuite(suite, { out: reference, workers: 1 });
  const byKey = new Map(numbers(await records(reference)).map((r) => [runKey(r), r]));
  for (const r of numbers(written)) t.deepEqual(r, byKey.get(runKey(r)));
});

test.serial('a unit that keeps failing is reported with its key after two tries; the other units are written', async (t) => {
  const suite = decodeSuite(suiteRaw(20), 'pool.json');
  const groups = planGroups(suite, suite.seeds, new Set());
  const doomed = unitOf(groups[1]!, suite.steps);
  const out = await tempDir();
  const store = await openStore(out, { resume: false });
  const starts: string[] = [];
  const error = await t.throwsAsync(
    runGroupsOnPool(suite, groups, {
      workers: 2,
      backend: 'cpu',
      out,
      append: (r) => store.append(r),
      log: () => undefined,
      onEvent: (event) => {
        if (event.type !== 'started' || event.key !== doomed.key) return;
        starts.push(event.key);
        process.kill(event.pid, 'SIGKILL');
      },
    }),
    { instanceOf: PoolFailure },
  );
  t.is(starts.length, 2, 'tried twice, then given up');
  t.deepEqual((error as PoolFailure).failures.map((f) => f.key), [doomed.key]);
  t.true(error!.message.includes(doomed.key) && error!.message.includes('--resume'), error!.message);
  const kept = await records(out);
  const doomedKeys = new Set(doomed.rows.map((row) => runKey({ task: doomed.task, optimizer: doomed.optimizer, hparams: row.hparams, seed: row.seed, steps: doomed.steps })));
  t.is(kept.length, groups.reduce((n, g) => n + g.rows.length, 0) - doomedKeys.size);
  t.false(kept.some((r) => doomedKeys.has(runKey(r))));
});

test.serial('a unit that throws in its worker (here: planned from another suite) is retried once, then reported', async (t) => {
  const suite = decodeSuite(suiteRaw(10), 'pool.json');
  const stray: Unit = { key: 'nowhere|sgd|1 runs|x', task: 'nowhere', optimizer: 'sgd', rows: [{ seed: 0, hparams: { rule: 'sgd' } }], steps: 10 };
  const failures = await runUnitsOnPool([stray], {
    workers: 2,
    context: { suiteRaw: suite.raw, suiteFile: path.resolve('pool.json'), backend: 'cpu', out: await tempDir() },
    write: async () => t.fail('nothing to write'),
  });
  t.is(failures.length, 1);
  t.is(failures[0]!.key, stray.key);
  t.is(failures[0]!.reasons.length, 2);
  t.regex(failures[0]!.reasons[0]!, /no task 'nowhere'/);
});

test.serial('this process is one of the workers: with 2 workers one child is started, both run units, records equal the in-process run', async (t) => {
  const suite = decodeSuite(suiteRaw(30), 'pool.json');
  const groups = planGroups(suite, suite.seeds, new Set());
  const units = balancedUnits(groups, suite.steps, 2);
  t.true(units.length >= UNITS_PER_WORKER * 2, `groups split for 2 workers (${groups.length} groups → ${units.length} units)`);
  t.true(units.every((u, i) => i === 0 || units[i - 1]!.rows.length >= u.rows.length), 'longest first');
  const written: RunRecord[] = [];
  const events: PoolEvent[] = [];
  const childArgs: string[][] = [];
  const local = inProcessHandler(suite, 'cpu', new Map(), async () => undefined);
  const failures = await runUnitsOnPool(units, {
    workers: 2,
    context: { suiteRaw: suite.raw, suiteFile: path.resolve('pool.json'), backend: 'cpu', out: await tempDir() },
    write: async (_unit, records) => void written.push(...records),
    onEvent: (event) => {
      events.push(event);
      // The child's command line, read while it runs (Linux's /proc; the pool kills its children when it closes). A child
      // still starting up when this process has run the rest may have its units taken back and start none.
      if ((event.type === 'started' || event.type === 'takenBack') && event.local !== true && process.platform === 'linux') childArgs.push(readFileSync(`/proc/${event.pid}/cmdline`, 'utf8').split('\0'));
    },
    local: async () => local,
  });
  t.deepEqual(failures, []);
  if (process.platform === 'linux') {
    t.true(childArgs.length > 0);
    for (const args of childArgs) for (const flag of CHILD_V8_FLAGS) t.true(args.includes(flag), `the child runs with ${flag} (its command line: ${args.join(' ')})`);
  }
  const started = events.filter((e) => e.type === 'started');
  t.true(started.some((e) => e.local === true && e.pid === process.pid), 'this process ran units');
  t.is(new Set(events.filter((e) => (e.type === 'started' || e.type === 'takenBack') && e.local !== true).map((e) => e.pid)).size, 1, 'one child');
  t.true(started.filter((e) => e.local !== true).every((e) => e.cpuMs !== undefined && e.cpuMs > 0), "a child's 'started' carries its own CPU reading");
  const reference = await tempDir();
  await runSuite(suite, { out: reference, workers: 1 });
  const byKey = new Map(numbers(await records(reference)).map((r) => [runKey(r), r]));
  t.is(written.length, byKey.size);
  for (const r of numbers(written)) t.deepEqual(r, byKey.get(runKey(r)));
});

test.serial("a unit that throws in this process is redone in a child, and this process takes no more units", async (t) => {
  const suite = decodeSuite(suiteRaw(10), 'pool.json');
  const units = balancedUnits(planGroups(suite, suite.seeds, new Set()), suite.steps, 2);
  const written: RunRecord[] = [];
  const events: PoolEvent[] = [];
  const failures = await runUnitsOnPool(units, {
    workers: 2,
    context: { suiteRaw: suite.raw, suiteFile: path.resolve('pool.json'), backend: 'cpu', out: await tempDir() },
    write: async (_unit, records) => void written.push(...records),
    onEvent: (event) => void events.push(event),
    local: async () => ({ run: async () => Promise.reject(new Error('trapped here')) }),
  });
  t.deepEqual(failures, []);
  const retried = events.filter((e) => e.type === 'retry');
  t.is(retried.length, 1);
  t.true(retried[0]!.local === true && /trapped here/.test(retried[0]!.reason ?? ''));
  t.true(events.some((e) => e.type === 'finished' && e.key === retried[0]!.key && e.local !== true), 'a child finished it');
  t.false(events.some((e) => e.type === 'finished' && e.local === true));
  t.is(written.length, units.reduce((n, u) => n + u.rows.length, 0));
});

test.serial("units a child holds but has not started are taken back when this process runs out; the child skips them and serves the next batch", async (t) => {
  const suite = decodeSuite(suiteRaw(10, [{ task: 'rosenbrock' }]), 'pool.json');
  const units = planGroups(suite, 4, new Set()).flatMap((g) => splitGroup(g, 1)).map((g) => unitOf(g, suite.steps));
  const first = units.slice(0, 4);
  const second = units.slice(4);
  const events: PoolEvent[] = [];
  let batch = 1;
  let childStartedInSecond = false;
  const inProcess = inProcessHandler(suite, 'cpu', new Map(), async () => undefined);
  const pool = new WorkerPool<Unit, RunRecord[]>({
    workers: 2,
    handler: 'suite',
    context: { suiteRaw: suite.raw, suiteFile: path.resolve('pool.json'), backend: 'cpu', out: await tempDir() },
    onEvent: (event) => {
      events.push(event);
      if (batch === 2 && event.type === 'started' && event.local !== true) childStartedInSecond = true;
    },
    local: async () => ({
      async run(unit) {
        // In the second batch this process waits for the child's first unit, so the child must run units there.
        while (batch === 2 && !childStartedInSecond) await new Promise((resolve) => setTimeout(resolve, 10));
        return inProcess.run(unit);
      },
    }),
  });
  const written: RunRecord[] = [];
  const write = async (_unit: Unit, records: RunRecord[]) => void written.push(...records);
  try {
    // The first batch: 4 one-run units of a few milliseconds; the child, still loading tfjs, holds two of them.
    t.deepEqual(await pool.run(first, write), []);
    const takenBack = events.filter((e) => e.type === 'takenBack');
    t.true(takenBack.length > 0, 'this process took back units the starting child held');
    for (const e of takenBack) t.true(events.some((f) => f.type === 'finished' && f.key === e.key && f.local === true), `${e.key} finished here`);
    batch = 2;
    t.deepEqual(await pool.run(second, write), []);
  } finally {
    pool.close();
  }
  const childPids = new Set(events.filter((e) => e.local !== true && (e.type === 'started' || e.type === 'takenBack')).map((e) => e.pid));
  t.is(childPids.size, 1, 'the same child served both batches (not killed for the units taken back)');
  t.true(childStartedInSecond, 'the child ran units of the second batch');
  const finished = events.filter((e) => e.type === 'finished').map((e) => e.key);
  t.deepEqual([...finished].sort(), units.map((u) => u.key).sort(), 'every unit finished once');
  const reference = await tempDir();
  await runSuite({ ...suite, seeds: 4 }, { out: reference, workers: 1 });
  const byKey = new Map(numbers(await records(reference)).map((r) => [runKey(r), r]));
  t.is(written.length, units.length);
  for (const r of numbers(written)) t.deepEqual(r, byKey.get(runKey(r)));
});

/**
 * Many one-run units of a 10-step rosenbrock suite on 2 workers (one child), this process's units run by `local`
 * (made from the suite): the set-up of the tests of what this process's units do to the child's supply.
 */
async function oneRunUnitsOnPool(local: (suite: Suite) => UnitHandler, onEvent: (event: PoolEvent) => void): Promise<{ units: Unit[]; failures: Awaited<ReturnType<typeof runUnitsOnPool>> }> {
  const suite = decodeSuite(suiteRaw(10, [{ task: 'rosenbrock' }]), 'pool.json');
  const units = planGroups(suite, 15, new Set()).flatMap((g) => splitGroup(g, 1)).map((g) => unitOf(g, suite.steps));
  const failures = await runUnitsOnPool(units, {
    workers: 2,
    context: { suiteRaw: suite.raw, suiteFile: path.resolve('pool.json'), backend: 'cpu', out: await tempDir() },
    write: async () => undefined,
    onEvent,
    local: async () => local(suite),
  });
  return { units, failures };
}

test.serial('children keep getting units while this process computes units whose awaits are all microtasks', async (t) => {
  let childStarted = false;
  const finished = { here: 0, children: 0 };
  const { units, failures } = await oneRunUnitsOnPool(
    (suite) => {
      const inProcess = inProcessHandler(suite, 'cpu', new Map(), async () => undefined);
      return {
        async run(unit) {
          // The first unit waits for the child; every later one computes ~30 ms without giving the event loop a turn.
          while (!childStarted) await new Promise((resolve) => setTimeout(resolve, 10));
          const end = Date.now() + 30;
          while (Date.now() < end);
          await Promise.resolve();
          return inProcess.run(unit);
        },
      };
    },
    (event) => {
      if (event.type === 'started' && event.local !== true) childStarted = true;
      if (event.type === 'finished') finished[event.local === true ? 'here' : 'children'] += 1;
    },
  );
  t.true(units.length >= 40, 'one run per unit: many small units');
  t.deepEqual(failures, []);
  t.is(finished.here + finished.children, units.length);
  t.true(finished.children > 8, `the child finished ${finished.children} units, this process ${finished.here}`);
});

test.serial('one pool for a whole run: a held-out suite’s phases (tune, then score) share one child, and 2 workers write what 1 writes', async (t) => {
  const suite = decodeSuite(
    {
      ...suiteRaw(20, [{ task: 'rosenbrock' }, { task: 'randomQuadratic', options: { dimension: 3 }, id: 'q3' }]),
      tuning: { mode: 'held-out', seeds: 2, bracket: false },
      optimizers: [
        { name: 'sgd', rule: 'sgd', grid: { learningRate: [1e-3, 1e-2] } },
        { name: 'adam', rule: 'adam', grid: { learningRate: [1e-2, 1e-1] } },
      ],
    },
    'pool.json',
  );
  const one = await tempDir();
  const two = await tempDir();
  await runSuite(suite, { out: one, workers: 1 });
  const events: PoolEvent[] = [];
  const lines: string[] = [];
  await runSuite(suite, { out: two, workers: 2, log: (l) => lines.push(l), onPoolEvent: (e) => void events.push(e) });
  t.is(lines.filter((l) => /on 2 worker processes/.test(l)).length, 2, 'both phases ran on the pool');
  // Each phase sends the child units: it runs them, or (still starting up) has them taken back by this process.
  const children = new Set(events.filter((e) => (e.type === 'finished' || e.type === 'takenBack') && e.local !== true).map((e) => e.pid));
  t.is(children.size, 1, `one child for both phases (children: ${[...children].join(', ')})`);
  const a = await records(one);
  const b = await records(two);
  t.true(a.some((r) => r.role === 'tuning') && a.some((r) => r.role !== 'tuning'), 'tuning and scored records');
  // Compared by run key: the file's order of tuning records is not the plan's (order.ts orders scored seeds only).
  const byRun = (runs: RunRecord[]) => numbers(runs).map((r) => [`${runKey(r)}|${r.role ?? 'scored'}`, r] as const).sort(([x], [y]) => x.localeCompare(y));
  t.deepEqual(byRun(b), byRun(a));
});

test.serial('a long unit in this process lets the event loop turn: the child is sent new units while it runs', async (t) => {
  let childStarted = false;
  let localUnits = 0;
  let childFinishedDuringLongUnit: number | undefined;
  let childFinished = 0;
  const { failures } = await oneRunUnitsOnPool(
    (suite) => {
      const short = inProcessHandler(suite, 'cpu', new Map(), async () => undefined);
      // This process's first unit runs 4,000 steps (seconds) instead of 10; the step loop's awaits are all microtasks on cpu.
      const long = inProcessHandler({ ...suite, steps: 4000 }, 'cpu', new Map(), async () => undefined);
      return {
        async run(unit) {
          localUnits += 1;
          if (localUnits > 1) return short.run(unit);
          while (!childStarted) await new Promise((resolve) => setTimeout(resolve, 10));
          const before = childFinished;
          const records = await long.run({ ...(unit as Unit), steps: 4000 });
          childFinishedDuringLongUnit = childFinished - before;
          return records;
        },
      };
    },
    (event) => {
      if (event.type === 'started' && event.local !== true) childStarted = true;
      if (event.type === 'finished' && event.local !== true) childFinished += 1;
    },
  );
  t.deepEqual(failures, []);
  t.true(childFinishedDuringLongUnit !== undefined && childFinishedDuringLongUnit > 4, `the child finished ${childFinishedDuringLongUnit} units while this process ran its long one (more than the 2 it holds at once)`);
});

test('groups are split by their rows’ measured cost: a costly optimizer’s group becomes several units, run first; every row once', (t) => {
  const suite = decodeSuite({ ...suiteRaw(10, [{ task: 'rosenbrock' }]), seeds: 20 }, 'pool.json');
  const groups = planGroups(suite, suite.seeds, new Set());
  // sgd's two grid points, adam and clipped sgd; adam's rows measured 12× the others'.
  const weighed = groups.map((g) => ({ ...g, rowStepMs: g.optimizer.name === 'adam' ? 12 : 1 }));
  const units = balancedUnits(weighed, suite.steps, 2);
  const costOf = (u: Unit) => u.rows.length * (u.optimizer === 'adam' ? 12 : 1);
  const total = units.reduce((s, u) => s + costOf(u), 0);
  t.true(units.every((u) => costOf(u) <= total / (UNITS_PER_WORKER * 2)), `no unit above a 1/${UNITS_PER_WORKER * 2} share: ${units.map(costOf).join(', ')}`);
  t.true(units.filter((u) => u.optimizer === 'adam').length >= 4, 'adam’s group split');
  t.is(units[0]!.optimizer, 'adam', 'the costliest units first');
  t.true(units.every((u, i) => i === 0 || costOf(units[i - 1]!) >= costOf(u)));
  const keys = units.flatMap((u) => u.rows.map((r) => `${u.optimizer}|${JSON.stringify(r)}`));
  t.is(new Set(keys).size, keys.length, 'no row twice');
  t.is(keys.length, groups.reduce((n, g) => n + g.rows.length, 0), 'every row');
  // Unweighed (a plan never sized): by rows, as many units as before.
  const plain = balancedUnits(groups, suite.steps, 2);
  t.true(plain.every((u, i) => i === 0 || plain[i - 1]!.rows.length >= u.rows.length));
});
