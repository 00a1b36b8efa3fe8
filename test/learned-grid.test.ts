/**
 * Grids on learned optimizers: a learned entry's `grid` tunes its deployment options
 * under the suite's protocol, as a rule's grid does — held out (tuned on tuning
 * seeds, the chosen point scored), or on the scored seeds — bracketed up to the
 * kind's own codec's bound; φ is meta-trained once per entry.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createLearnedOptimizer, saveCheckpoint } from '../src/learned/index.js';
import { decodeSuite } from '../src/suite/decode.js';
import { learnedRule } from '../src/suite/groupRule.js';
import { planGroups, type Group } from '../src/suite/plan.js';
import { runKey, type RunRecord } from '../src/suite/record.js';
import { runSuite } from '../src/suite/runner.js';
import { runHeldOut } from '../src/suite/tuning/heldOut.js';
import { TUNING_SEED_BASE } from '../src/suite/tuning/protocol.js';
import { summarize } from '../src/reporting/index.js';

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'alphaopt-learned-grid-'));

/** A DQN controller loaded from a checkpoint (never read: the runs below are made up), tuned over η₀. */
const dqnSuite = (tuning: object, grid: object = { initialLearningRate: [0.03, 0.1] }) => ({
  name: 'learned-grid', steps: 2, seeds: 3, tuning,
  tasks: [{ task: 'quadratic' }],
  optimizers: [{ name: 'dqn', learned: { kind: 'dqn-controller', checkpoint: 'unused' }, grid }, { name: 'adam', rule: 'adam' }],
});

function record(task: string, optimizer: string, hparams: RunRecord['hparams'], seed: number, final: number | null): RunRecord {
  return { task, optimizer, hparams, seed, backend: 'cpu', steps: 2, losses: [1, 1, final], finalLoss: final, bestLoss: final, stepsToThreshold: null, auc: final, wallMs: 1, diverged: final === null };
}

/** Runs made up by `loss(η₀, seed)` instead of being run (only the protocol is under test); each group's η₀ values kept. */
function fakeRunner(loss: (lr: number, seed: number) => number, existing: RunRecord[] = []) {
  const written: RunRecord[] = [...existing];
  const done = new Set(existing.map(runKey));
  const phases: Array<{ seeds: number[]; groupPoints: number[][] }> = [];
  return {
    written,
    phases,
    runner: {
      async execute(groups: Group[], tag: (r: RunRecord) => RunRecord) {
        const learned = groups.filter((g) => g.optimizer.type === 'learned');
        phases.push({ seeds: learned.flatMap((g) => g.rows.map((r) => r.seed)), groupPoints: learned.map((g) => [...new Set(g.rows.map((r) => r.hparams['initialLearningRate'] as number))]) });
        for (const g of groups) {
          for (const row of g.rows) {
            const r = record(g.task.id, g.optimizer.name, row.hparams, row.seed, g.optimizer.type === 'learned' ? loss(row.hparams['initialLearningRate'] as number, row.seed) : 1);
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

test('held out: a learned entry tunes its η₀ on tuning seeds only, bracketing stops at its codec\'s bound, the choice is scored', async (t) => {
  const suite = decodeSuite(dqnSuite({ mode: 'held-out', seeds: 2 }), 'learned-grid.json');
  // Tuning seeds favour the largest η₀ (so the choice keeps sitting on the grid's top edge); scored seeds favour 0.03.
  // Scored records at 0.03 are already in the folder: a choice that read them would pick 0.03.
  const loss = (lr: number, seed: number) => (seed >= TUNING_SEED_BASE ? 1 / lr : lr === 0.03 ? 0.001 : 50);
  const planted = [0, 1, 2].map((seed) => record('quadratic', 'dqn', { kind: 'dqn-controller', mode: 'frozen', initialLearningRate: 0.03 }, seed, loss(0.03, seed)));
  const { runner, written, phases } = fakeRunner(loss, planted);
  await runHeldOut(suite, suite.tuning as Extract<typeof suite.tuning, { mode: 'held-out' }>, 3, runner);
  const tuning = written.filter((r) => r.role === 'tuning');
  t.true(tuning.every((r) => r.seed >= TUNING_SEED_BASE), 'tuning never runs a scored seed');
  t.true(phases.slice(0, -1).every((p) => p.seeds.every((s) => s >= TUNING_SEED_BASE)));
  // 0.1 on the edge → one log step up, 0.333 (the grid's step, 0.1 / 0.03); past it 1.11 is above lrMax = 0.5,
  // which the DQN's options refuse: bracketing stops there, one value short of maxExtensions (3).
  t.deepEqual([...new Set(tuning.map((r) => r.hparams['initialLearningRate']))].sort(), [0.03, 0.1, 0.333]);
  t.deepEqual([...new Set(tuning.filter((r) => r.extension !== undefined).map((r) => `${r.hparams['initialLearningRate']}@${r.extension}`))], ['0.333@1']);
  // One group per grid point: a learned optimizer's options are one value per group.
  t.true(phases.every((p) => p.groupPoints.every((points) => points.length === 1)));
  // Scoring: the point chosen on the tuning seeds, on the scored seeds only.
  const scored = phases.at(-1)!;
  t.deepEqual(scored.seeds.sort(), [0, 1, 2]);
  t.deepEqual(scored.groupPoints, [[0.333]]);
  const dqn = summarize(written)[0]!.optimizers.find((o) => o.optimizer === 'dqn')!;
  t.is(dqn.hparams['initialLearningRate'], 0.333, 'the record carries the chosen point');
  t.deepEqual(dqn.runs.map((r) => r.seed), [0, 1, 2]);
  t.deepEqual(dqn.tuning, { mode: 'held-out', budget: 6, extended: 1, edges: [{ key: 'initialLearningRate', side: 'high' }] });
});

test('scored seeds: every point of a learned grid runs on the scored seeds and the best is reported, with its budget', async (t) => {
  const suite = decodeSuite(dqnSuite({ mode: 'scored-seeds' }, { initialLearningRate: [0.01, 0.03, 0.1] }), 'learned-grid.json');
  const groups = planGroups(suite, 2, new Set()).filter((g) => g.optimizer.name === 'dqn');
  t.deepEqual(groups.map((g) => g.rows.map((r) => `${r.hparams['initialLearningRate']}@${r.seed}`)), [['0.01@0', '0.01@1'], ['0.03@0', '0.03@1'], ['0.1@0', '0.1@1']]);
  const { runner, written } = fakeRunner((lr) => Math.abs(Math.log10(lr / 0.03)));
  await runner.execute(planGroups(suite, 2, new Set()), (r) => r);
  const dqn = summarize(written)[0]!.optimizers.find((o) => o.optimizer === 'dqn')!;
  t.is(dqn.hparams['initialLearningRate'], 0.03);
  t.deepEqual(dqn.tuning, { mode: 'scored-seeds', budget: 6, extended: 0, edges: [] });
});

test('a learned entry without a grid plans as before: one group, no grid key in its records', (t) => {
  const raw = dqnSuite({ mode: 'held-out', seeds: 2 });
  const suite = decodeSuite({ ...raw, optimizers: [{ name: 'dqn', learned: { kind: 'dqn-controller', checkpoint: 'unused' } }] }, 'learned-grid.json');
  const groups = planGroups(suite, 3, new Set());
  t.is(groups.length, 1);
  t.deepEqual(groups[0]!.rows.map((r) => r.hparams), [0, 1, 2].map(() => ({ kind: 'dqn-controller', mode: 'frozen' })));
});

test('bad grids on learned entries are refused, each problem at its field', (t) => {
  const problems = (optimizer: object) => t.throws(() => decodeSuite({ name: 'x', steps: 2, seeds: 1, tasks: [{ task: 'quadratic' }], optimizers: [optimizer] }, 'bad.json'))!.message;
  const lstm = { kind: 'lstm', checkpoint: 'unused' };
  t.regex(problems({ name: 'l', learned: lstm, grid: { outputScal: [0.01] } }), /\$\.optimizers\[0\]\.grid\.outputScal: 'lstm' has no option 'outputScal'; .*a frozen 'lstm' has outputScale/);
  t.regex(problems({ name: 'l', learned: lstm, grid: { hidden: [10, 20] } }), /\$\.optimizers\[0\]\.grid\.hidden: 'hidden' is not a deployment option: the meta-parameters were trained for one value of it/);
  t.regex(problems({ name: 'l', learned: lstm, grid: { outputScale: [] } }), /\$\.optimizers\[0\]\.grid\.outputScale: expected at least one value/);
  t.regex(problems({ name: 'd', learned: { kind: 'dqn-controller', checkpoint: 'unused' }, grid: { initialLearningRate: [0.01, 0.9] } }), /\$\.optimizers\[0\]\.grid\.initialLearningRate\[1\]: expected a number in \[lrMin, lrMax\] = \[0\.001, 0\.5\], got 0\.9/);
  // A problem across options names the point.
  t.regex(problems({ name: 'd', learned: { kind: 'dqn-controller', checkpoint: 'unused' }, grid: { initialLearningRate: [0.3], lrMax: [0.2, 1] } }), /\$\.optimizers\[0\]\.grid\.initialLearningRate\[0\]: expected a number in \[lrMin, lrMax\] = \[0\.001, 0\.2\], got 0\.3 \(with lrMax = 0\.2\)/);
  // Options that only matter while learning online are tunable online only.
  t.regex(problems({ name: 'a', learned: { kind: 'actor-critic', checkpoint: 'unused' }, grid: { exploration: [0.1, 0.2] } }), /grid\.exploration: 'exploration' is not a deployment option.*a frozen 'actor-critic' has initialLearningRate$/);
  t.notThrows(() => decodeSuite({ name: 'x', steps: 2, seeds: 1, tasks: [{ task: 'quadratic' }], optimizers: [{ name: 'a', learned: { kind: 'actor-critic', mode: 'online' }, grid: { exploration: [0.1, 0.2] } }] }, 'ok.json'));
  t.regex(problems({ name: 's', learned: { kind: 'lr-schedule', checkpoint: 'unused' }, grid: { onlineRate: [0.1] } }), /grid\.onlineRate: .*a frozen 'lr-schedule' has none/);
});

test('a grid is checked against the options of the checkpoint the runs load, not the defaults', (t) => {
  // policy-logistic was trained with action 'step' (the suite gives no hyperParams, whose default is 'learningRate'):
  // its deployment option is stepScale.
  const suite = (grid: object) => ({ name: 'x', steps: 2, seeds: 1, tasks: [{ task: 'quadratic' }], optimizers: [{ name: 'p', learned: { kind: 'coordinate-policy', checkpoint: path.resolve('pretrained/policy-logistic') }, grid }] });
  const planned = decodeSuite(suite({ stepScale: [0.05, 0.1] }), 'ok.json').optimizers[0]!;
  t.is(planned.type === 'learned' ? planned.gridBase['action'] : undefined, 'step');
  t.regex(t.throws(() => decodeSuite(suite({ baseLearningRate: [0.05, 0.1] }), 'bad.json'))!.message, /grid\.baseLearningRate: 'baseLearningRate' is not a deployment option.*a frozen 'coordinate-policy' has stepScale$/);
});

test('a grid point runs a copy of φ with its options: the LSTM\'s update scales with outputScale; nothing leaks', (t) => {
  const lstm = createLearnedOptimizer('lstm', { hidden: 4 });
  const params = [tf.tensor1d([1, -2, 3])];
  const grads = [tf.tensor1d([0.5, -1, 2])];
  const before = tf.memory().numTensors;
  const firstUpdate = (options?: Record<string, number>) => {
    const { rule, dispose } = learnedRule(lstm, 'frozen', options);
    // The step's temporaries are freed by tidy, as the optimizee loop does; the copy of φ by `dispose`.
    const values = tf.tidy(() => Array.from(rule.update({ grads, params, step: 0 }, rule.init(params)).updates[0]!.dataSync()));
    dispose();
    return values;
  };
  const asIs = firstUpdate();
  const atDefault = firstUpdate({ outputScale: 0.01 });
  const doubled = firstUpdate({ outputScale: 0.02 });
  t.deepEqual(atDefault, asIs, 'the default outputScale as a grid point is the optimizer as it is');
  doubled.forEach((v, i) => t.true(Math.abs(v - 2 * asIs[i]!) <= 1e-6 * Math.abs(v), `coordinate ${i}: ${v} vs 2 × ${asIs[i]}`));
  t.is(tf.memory().numTensors, before, 'the copy of φ is disposed with its rule');
  t.throws(() => learnedRule(lstm, 'frozen', { outputScale: Number.NaN }), { message: /lstm\.outputScale/ });
  tf.dispose([...params, ...grads]);
  lstm.dispose();
});

test.serial('a held-out suite tunes a learned entry end to end: meta-trained once, the chosen point scored and reported, no tensor leak', async (t) => {
  const raw = {
    name: 'learned-grid-e2e', backend: 'cpu', steps: 5, seeds: 2, tuning: { mode: 'held-out', seeds: 2, maxExtensions: 1 },
    tasks: [{ task: 'quadratic' }],
    optimizers: [
      { name: 'sgd', rule: 'sgd', grid: { learningRate: [0.01] } },
      {
        name: 'lstm',
        learned: { kind: 'lstm', hyperParams: { hidden: 4 }, metaTrain: { task: { task: 'randomQuadratic', options: { dimension: 2 } }, config: { iterations: 1, horizon: 5, unroll: 5, tasksPerIteration: 1, validationTasks: 1, validateEvery: 1 } } },
        grid: { outputScale: [0.003, 0.01, 0.03] },
      },
    ],
  };
  const suite = decodeSuite(raw, path.join(await tempDir(), 'suite.json'));
  const out = await tempDir();
  const lines: string[] = [];
  await runSuite(suite, { out, log: (line) => lines.push(line) });
  t.is(lines.filter((l) => l.includes("meta-training a 'lstm'")).length, 1, 'φ is meta-trained once for every grid point and phase');
  const runs = (await readFile(path.join(out, 'runs.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as RunRecord);
  const lstm = runs.filter((r) => r.optimizer === 'lstm');
  const tuning = lstm.filter((r) => r.role === 'tuning');
  const scored = lstm.filter((r) => r.role === undefined);
  t.true(tuning.length >= 6 && tuning.every((r) => r.seed >= TUNING_SEED_BASE));
  t.deepEqual(scored.map((r) => r.seed).sort(), [0, 1]);
  const chosen = new Set(scored.map((r) => r.hparams['outputScale']));
  t.is(chosen.size, 1, 'one point scored');
  const row = summarize(runs)[0]!.optimizers.find((o) => o.optimizer === 'lstm')!;
  t.is(row.hparams['outputScale'], [...chosen][0]);
  t.is(row.tuning.mode, 'held-out');
  t.is(row.tuning.budget, tuning.length);
  // Grid points differ: a copy of φ per point really runs with that point's scale.
  t.is(new Set(tuning.filter((r) => r.seed === TUNING_SEED_BASE).map((r) => r.finalLoss)).size, new Set(tuning.map((r) => r.hparams['outputScale'])).size);
  const md = await readFile(path.join(out, 'summary.md'), 'utf8');
  const points = new Set(tuning.map((r) => r.hparams['outputScale'])).size;
  t.regex(md, new RegExp(`\\| lstm \\| [^|]*outputScale=[^|]*\\(best of ${points}[^|]*\\| held-out, ${tuning.length} runs \\|`));
  // A second run of the same suite leaves no tensor behind.
  const before = tf.memory().numTensors;
  await runSuite(suite, { out: await tempDir() });
  t.is(tf.memory().numTensors, before);
});

test.serial('a grid that does not fit the options a checkpoint was trained with is refused: when decoded, and at the start', async (t) => {
  const dir = await tempDir();
  // The suite's options (the defaults: lrMax 0.5) accept η₀ = 0.3; the checkpoint's (lrMax 0.2) do not.
  const raw = { name: 'x', backend: 'cpu', steps: 2, seeds: 1, tasks: [{ task: 'quadratic' }], optimizers: [{ name: 'dqn', learned: { kind: 'dqn-controller', checkpoint: 'dqn' }, grid: { initialLearningRate: [0.01, 0.3] } }] };
  // Decoded before the checkpoint exists (as a queue or a long session may): the start checks it again.
  const suite = decodeSuite(raw, path.join(dir, 'suite.json'));
  const trained = createLearnedOptimizer('dqn-controller', { hidden: [4], lrMax: 0.2 });
  await saveCheckpoint(trained, path.join(dir, 'dqn'));
  trained.dispose();
  const out = path.join(dir, 'out');
  await t.throwsAsync(runSuite(suite, { out }), { message: /dqn: its grid does not fit the options the checkpoint .* was trained with: dqn\.grid\.initialLearningRate\[1\]: expected a number in \[lrMin, lrMax\] = \[0\.001, 0\.2\], got 0\.3/ });
  t.false(existsSync(path.join(out, 'runs.jsonl')));
  // Decoded with the checkpoint there: refused at the grid value, with the file's path.
  t.throws(() => decodeSuite(raw, path.join(dir, 'suite.json')), { message: /\$\.optimizers\[0\]\.grid\.initialLearningRate\[1\]: expected a number in \[lrMin, lrMax\] = \[0\.001, 0\.2\], got 0\.3/ });
});

test.serial('a held-out suite with nothing to tune (a learned entry without a grid) runs: its entry scored as it is', async (t) => {
  const dir = await tempDir();
  const trained = createLearnedOptimizer('lstm', { hidden: 4 });
  await saveCheckpoint(trained, path.join(dir, 'lstm'));
  trained.dispose();
  const raw = { name: 'x', backend: 'cpu', steps: 3, seeds: 2, tuning: { mode: 'held-out', seeds: 2 }, tasks: [{ task: 'quadratic' }], optimizers: [{ name: 'lstm', learned: { kind: 'lstm', checkpoint: 'lstm' } }] };
  const out = path.join(dir, 'out');
  await runSuite(decodeSuite(raw, path.join(dir, 'suite.json')), { out });
  const runs = (await readFile(path.join(out, 'runs.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as RunRecord);
  t.deepEqual(runs.map((r) => [r.seed, r.role, r.hparams]), [0, 1].map((seed) => [seed, undefined, { kind: 'lstm', mode: 'frozen' }]));
});
