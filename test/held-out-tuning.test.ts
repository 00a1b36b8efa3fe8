/**
 * Held-out tuning and bracketed grids: tuning runs only on tuning seeds and its
 * choice reads tuning records only; a choice on the grid's edge extends the grid in
 * log steps until it is interior or a bound stops it; divergence counts as worst.
 */
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeSuite } from '../src/suite/decode.js';
import { runKey, type RunRecord } from '../src/suite/record.js';
import { runSuite } from '../src/suite/runner.js';
import { bracketStep } from '../src/suite/tuning/bracket.js';
import { runHeldOut } from '../src/suite/tuning/heldOut.js';
import { TUNING_SEED_BASE } from '../src/suite/tuning/protocol.js';
import { summarize } from '../src/reporting/index.js';
import type { Group } from '../src/suite/plan.js';

test('bracketStep extends an edge choice by the grid\'s own log step, and stops at a bound', (t) => {
  const accepts = () => true;
  const grid = { learningRate: [0.01, 0.0316, 0.1] };
  const tried = grid.learningRate.map((learningRate) => ({ learningRate }));
  t.deepEqual(bracketStep({ grid, tried, chosen: { learningRate: 0.1 }, maxExtensions: 3, accepts }).points, [{ learningRate: 0.316 }]);
  t.deepEqual(bracketStep({ grid, tried, chosen: { learningRate: 0.01 }, maxExtensions: 3, accepts }).points, [{ learningRate: 0.00316 }]);
  t.deepEqual(bracketStep({ grid, tried, chosen: { learningRate: 0.0316 }, maxExtensions: 3, accepts }), { points: [], bounds: [] }, 'an interior choice is bracketed');
  // Three values already added past the top: the bound.
  const many = [...tried, { learningRate: 0.316 }, { learningRate: 1 }, { learningRate: 3.16 }];
  const capped = bracketStep({ grid, tried: many, chosen: { learningRate: 3.16 }, maxExtensions: 3, accepts });
  t.deepEqual(capped.points, []);
  t.regex(capped.bounds[0]!.reason, /3 values added past the grid/);
  // The rule refuses the next value (momentum ≥ 1).
  const refused = bracketStep({ grid: { momentum: [0.5, 0.9] }, tried: [{ momentum: 0.5 }, { momentum: 0.9 }], chosen: { momentum: 0.9 }, maxExtensions: 3, accepts: (_k, v) => v < 1 });
  t.deepEqual(refused.points, []);
  t.regex(refused.bounds[0]!.reason, /does not accept momentum = 1\.62/);
  // Only the edge key moves; the others stay at the chosen point.
  const two = { learningRate: [0.1, 1], momentum: [0.5, 0.7, 0.9] };
  const both = [0.1, 1].flatMap((learningRate) => [0.5, 0.7, 0.9].map((momentum) => ({ learningRate, momentum })));
  t.deepEqual(bracketStep({ grid: two, tried: both, chosen: { learningRate: 1, momentum: 0.7 }, maxExtensions: 3, accepts }).points, [{ learningRate: 10, momentum: 0.7 }]);
});

/** A suite whose runs are made up by `loss(lr, seed)` instead of being run: only the protocol is under test. */
function fakeRunner(loss: (lr: number, seed: number) => number | null, existing: RunRecord[] = []) {
  const written: RunRecord[] = [...existing];
  const done = new Set(existing.map(runKey));
  const calls: number[][] = [];
  const scoredRows: string[] = [];
  return {
    written,
    calls,
    scoredRows,
    runner: {
      async execute(groups: Group[], tag: (r: RunRecord) => RunRecord) {
        calls.push(groups.flatMap((g) => g.rows.map((r) => r.seed)));
        for (const g of groups) for (const r of g.rows) if (r.seed < TUNING_SEED_BASE) scoredRows.push(`${g.optimizer.name} lr=${r.hparams['learningRate']} seed=${r.seed}`);
        for (const g of groups) {
          for (const row of g.rows) {
            const final = g.optimizer.type === 'rule' ? loss(row.hparams['learningRate'] as number, row.seed) : 1;
            const r = record(g.task.id, g.optimizer.name, row.hparams, row.seed, final);
            written.push(tag(r));
            done.add(runKey(r));
          }
        }
      },
      records: async () => [...written],
      done: () => done,
      log: () => undefined,
    },
  };
}

function record(task: string, optimizer: string, hparams: RunRecord['hparams'], seed: number, final: number | null): RunRecord {
  return { task, optimizer, hparams, seed, backend: 'cpu', steps: 2, losses: [1, 1, final], finalLoss: final, bestLoss: final, stepsToThreshold: null, auc: final, wallMs: 1, diverged: final === null };
}

const suiteJson = (tuning: object) => ({
  name: 'held-out', steps: 2, seeds: 3, tuning,
  tasks: [{ task: 'quadratic' }],
  optimizers: [{ name: 'sgd', rule: 'sgd', grid: { learningRate: [0.01, 0.1] } }, { name: 'adam', rule: 'adam' }],
});

test('tuning runs on tuning seeds only, chooses from tuning records only, then scores the choice on the scored seeds', async (t) => {
  const suite = decodeSuite(suiteJson({ mode: 'held-out', seeds: 2, bracket: false }), 'held-out.json');
  // Tuning seeds favour lr 0.01; scored seeds favour lr 0.1. Scored records of lr 0.1 are already in the folder (as if
  // left by an earlier run): a choice that read them would pick 0.1 (mean 0.8 against 0.01's 1 over all records).
  const loss = (lr: number, seed: number) => (seed >= TUNING_SEED_BASE ? (lr === 0.01 ? 1 : 2) : lr === 0.1 ? 0.001 : 5);
  const planted = [0, 1, 2].map((seed) => record('quadratic', 'sgd', { rule: 'sgd', learningRate: 0.1 }, seed, loss(0.1, seed)));
  const { runner, calls, written, scoredRows } = fakeRunner(loss, planted);
  await runHeldOut(suite, suite.tuning as Extract<typeof suite.tuning, { mode: 'held-out' }>, 3, runner);
  t.deepEqual(calls[0]!.sort(), [TUNING_SEED_BASE, TUNING_SEED_BASE, TUNING_SEED_BASE + 1, TUNING_SEED_BASE + 1], 'tuning: 2 points × 2 tuning seeds, no scored seed');
  t.true(written.filter((r) => r.role === 'tuning').every((r) => r.seed >= TUNING_SEED_BASE));
  // Scoring: sgd at the point chosen on the tuning seeds, and adam, on the 3 scored seeds.
  t.deepEqual(scoredRows.sort(), ['adam lr=undefined seed=0', 'adam lr=undefined seed=1', 'adam lr=undefined seed=2', 'sgd lr=0.01 seed=0', 'sgd lr=0.01 seed=1', 'sgd lr=0.01 seed=2']);
  const [task] = summarize(written);
  const sgd = task!.optimizers.find((o) => o.optimizer === 'sgd')!;
  t.is(sgd.hparams['learningRate'], 0.01, 'chosen on the tuning seeds');
  t.deepEqual(sgd.runs.map((r) => r.seed), [0, 1, 2], 'reported on the scored seeds');
  t.deepEqual(sgd.tuning, { mode: 'held-out', budget: 4, extended: 0, edges: [{ key: 'learningRate', side: 'low' }] });
});

test('bracketing extends the grid past an edge choice until it is interior; a diverged point counts as worst', async (t) => {
  const suite = decodeSuite(suiteJson({ mode: 'held-out', seeds: 2 }), 'held-out.json');
  // Best learning rate near 3; 10 and above diverge.
  const { runner, written } = fakeRunner((lr) => (lr >= 10 ? null : (Math.log10(lr) - Math.log10(3)) ** 2));
  await runHeldOut(suite, suite.tuning as Extract<typeof suite.tuning, { mode: 'held-out' }>, 3, runner);
  const tried = [...new Set(written.filter((r) => r.role === 'tuning').map((r) => r.hparams['learningRate']))].sort((a, b) => (a as number) - (b as number));
  t.deepEqual(tried, [0.01, 0.1, 1, 10]);
  t.deepEqual([...new Set(written.filter((r) => r.extension !== undefined).map((r) => `${r.hparams['learningRate']}@${r.extension}`))], ['1@1', '10@2']);
  const sgd = summarize(written)[0]!.optimizers.find((o) => o.optimizer === 'sgd')!;
  t.is(sgd.hparams['learningRate'], 1);
  t.deepEqual(sgd.tuning.edges, [], 'interior after bracketing');
  t.is(sgd.tuning.extended, 2);
  t.is(sgd.tuning.budget, 8);
});

test('a bound stops bracketing and the table marks the edge', async (t) => {
  const suite = decodeSuite(suiteJson({ mode: 'held-out', seeds: 1, maxExtensions: 1 }), 'held-out.json');
  const { runner, written } = fakeRunner((lr) => 1 / lr);
  await runHeldOut(suite, suite.tuning as Extract<typeof suite.tuning, { mode: 'held-out' }>, 2, runner);
  const sgd = summarize(written)[0]!.optimizers.find((o) => o.optimizer === 'sgd')!;
  t.is(sgd.hparams['learningRate'], 1);
  t.deepEqual(sgd.tuning.edges, [{ key: 'learningRate', side: 'high' }]);
});

test('a held-out suite runs end to end: tuning records tagged, scored runs at one point, the protocol in the summary', async (t) => {
  const out = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-heldout-'));
  const suite = decodeSuite({ ...suiteJson({ mode: 'held-out', seeds: 2 }), backend: 'cpu', steps: 5, seeds: 2, tasks: [{ task: 'rosenbrock' }] }, 'held-out.json');
  await runSuite(suite, { out });
  const runs = (await readFile(path.join(out, 'runs.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as RunRecord);
  const scored = runs.filter((r) => r.role === undefined);
  t.true(runs.filter((r) => r.role === 'tuning').every((r) => r.seed >= TUNING_SEED_BASE));
  t.deepEqual(new Set(scored.filter((r) => r.optimizer === 'sgd').map((r) => r.hparams['learningRate'])).size, 1);
  t.deepEqual(scored.map((r) => r.seed).sort(), [0, 0, 1, 1]);
  const md = await readFile(path.join(out, 'summary.md'), 'utf8');
  t.regex(md, /Tuning: \*\*held out\*\*/);
  t.regex(md, /held-out, \d+ runs/);
});

test('suite files: tuning options are checked', (t) => {
  const bad = (tuning: object, extra: object = {}) => t.throws(() => decodeSuite({ ...suiteJson(tuning), ...extra }, 'bad.json'));
  t.regex(bad({ mode: 'held-out', seed: 2 })!.message, /\$\.tuning\.seed: unknown key/);
  t.regex(bad({ mode: 'scored-seeds', seeds: 2 })!.message, /apply to mode 'held-out' only/);
  t.regex(bad({ mode: 'held-out' }, { reference: 'nadam' })!.message, /\$\.reference: no optimizer is named 'nadam'/);
  t.regex(bad({ mode: 'sometimes' })!.message, /\$\.tuning\.mode/);
});

test('extended values read like the grid\'s', async (t) => {
  const { tidy } = await import('../src/suite/tuning/bracket.js');
  t.is(tidy(0.316 * 3.16), 1);
  t.is(tidy(31.6 * 3.16), 100);
  t.is(tidy(0.001 / 3.16), 0.000316);
  t.is(tidy(0.5 * 2), 1);
  t.is(tidy(0.12345), 0.123);
});

test('records put in plan order leave tuning runs after the scored ones, without planning up to their seeds', async (t) => {
  const { inPlanOrder } = await import('../src/suite/order.js');
  const suite = decodeSuite(suiteJson({ mode: 'held-out', seeds: 2 }), 'held-out.json');
  const tuningRun = { ...record('quadratic', 'sgd', { rule: 'sgd', learningRate: 0.1 }, TUNING_SEED_BASE, 1), role: 'tuning' as const };
  const scored = record('quadratic', 'sgd', { rule: 'sgd', learningRate: 0.1 }, 0, 1);
  t.deepEqual(inPlanOrder(suite, [tuningRun, scored]), [scored, tuningRun]);
});

test('tuning runs evaluate only at the end when the primary metric reads the last point, with the same training; a curve metric keeps the schedule', async (t) => {
  const { groupOf, unitOf } = await import('../src/suite/unit.js');
  const base = { ...suiteJson({ mode: 'held-out', seeds: 2 }), backend: 'cpu', steps: 6, seeds: 2, tasks: [{ task: 'rosenbrock' }], evaluation: { every: 2 } };
  const runs = async (metric: string) => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-heldout-eval-'));
    await runSuite(decodeSuite({ ...base, metrics: [metric] }, 'held-out.json'), { out });
    const records = (await readFile(path.join(out, 'runs.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as RunRecord);
    return { records, md: await readFile(path.join(out, 'summary.md'), 'utf8') };
  };
  const last = await runs('evalLoss');
  const curve = await runs('evalAuc');
  const tuning = (records: RunRecord[]) => records.filter((r) => r.role === 'tuning');
  t.true(tuning(last.records).length > 0);
  t.true(tuning(last.records).every((r) => JSON.stringify(r.evaluation!.steps) === '[0,6]'), 'evalLoss: step 0 and the last');
  t.true(last.records.filter((r) => r.role === undefined).every((r) => JSON.stringify(r.evaluation!.steps) === '[0,2,4,6]'), 'scored runs keep the schedule');
  t.true(tuning(curve.records).every((r) => JSON.stringify(r.evaluation!.steps) === '[0,2,4,6]'), 'evalAuc reads the whole curve');
  // Evaluating less never changes training: each tuning run ends at the same evaluation loss.
  const byKey = new Map(tuning(curve.records).map((r) => [runKey(r), r.metrics!['evalLoss']!]));
  for (const r of tuning(last.records)) t.is(r.metrics!['evalLoss'], byKey.get(runKey(r))!);
  t.regex(last.md, /Tuning runs were evaluated at step 0 and the last step only/);
  t.regex(last.md, /Evaluation curve .*rosenbrock: every 2 steps/);
  t.notRegex(last.md, /every 6 steps/, 'the scored runs\' schedule only, not the tuning runs\' too');
  t.notRegex(curve.md, /Tuning runs were evaluated at step 0/);
  // The mark crosses the pool's and the queue's unit boundary.
  const suite = decodeSuite({ ...base, metrics: ['evalLoss'] }, 'held-out.json');
  const group = { task: suite.tasks[0]!, optimizer: suite.optimizers[0]!, rows: [{ seed: 1, hparams: { rule: 'sgd', learningRate: 0.1 } }], evaluation: 'final' as const };
  t.is(groupOf(suite, JSON.parse(JSON.stringify(unitOf(group, suite.steps)))).evaluation, 'final');
});
