/** Malformed suite files are rejected before anything runs, each problem named by its JSON path. */
import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeSuite, readSuite } from '../src/suite/decode.js';
import { SuiteError } from '../src/suite/errors.js';

// Loosely typed so each case can break it in its own way.
const valid = (): { tasks: Array<Record<string, unknown>>; optimizers: Array<Record<string, unknown>>; [key: string]: unknown } => ({
  name: 'tiny',
  steps: 10,
  seeds: 2,
  tasks: [{ task: 'rosenbrock' }, { task: 'randomQuadratic', options: { dimension: 3 }, gradientNoise: 0.1, id: 'noisy3d' }],
  optimizers: [
    { name: 'adam', rule: 'adam', grid: { learningRate: [0.01, 0.1] } },
    { name: 'clipped momentum', rule: { rule: 'chain', options: { rules: [{ rule: 'clipByGlobalNorm', options: { maxNorm: 1 } }, { rule: 'momentum', options: {} }] } } },
    { name: 'learned', learned: { kind: 'lr-schedule', hyperParams: { horizon: 10 }, metaTrain: { task: { task: 'randomQuadratic', options: { dimension: 2 } }, config: { iterations: 5 } } } },
  ],
});

function problemsOf(raw: unknown): string[] {
  try {
    decodeSuite(raw, 'suite.json');
  } catch (error) {
    if (error instanceof SuiteError) return error.problems;
    throw error;
  }
  return [];
}

test('a valid suite decodes into tasks and optimizers', (t) => {
  const suite = decodeSuite(valid(), 'suite.json');
  t.deepEqual(suite.tasks.map((x) => x.id), ['rosenbrock', 'noisy3d']);
  t.deepEqual(suite.optimizers.map((o) => o.name), ['adam', 'clipped momentum', 'learned']);
  t.is(suite.optimizers[1]!.type === 'rule' && suite.optimizers[1]!.separable, false, 'global-norm clipping is not batched across runs');
});

const cases: Array<[string, (s: ReturnType<typeof valid>) => unknown, RegExp]> = [
  ['a missing field', (s) => ({ ...s, steps: undefined }), /^\$\.steps: missing; expected a positive integer$/],
  ['a non-positive seed count', (s) => ({ ...s, seeds: -1 }), /^\$\.seeds: expected a positive integer, got -1$/],
  ['a string in a learning-rate grid', (s) => { s.optimizers[0] = { ...s.optimizers[0]!, grid: { learningRate: [0.01, '0.1' as unknown as number] } }; return s; }, /^\$\.optimizers\[0\]\.grid\.learningRate\[1\]: expected number, got "0\.1"$/],
  ['an unknown rule', (s) => { s.optimizers[0] = { name: 'x', rule: 'adamm' } as never; return s; }, /^\$\.optimizers\[0\]\.rule\.rule: unknown rule 'adamm'; known rules: sgd, momentum/],
  ['a grid over an option the rule does not have', (s) => { s.optimizers[0] = { name: 'x', rule: 'sgd', grid: { momentum: [0.9] } } as never; return s; }, /^\$\.optimizers\[0\]\.grid\.momentum: unknown option for rule 'sgd'; expected one of learningRate$/],
  ['an unknown task', (s) => { s.tasks[0] = { task: 'rosenbrok' }; return s; }, /^\$\.tasks\[0\]\.task: unknown task 'rosenbrok'; known tasks: quadratic, /],
  ['a typo in a top-level key', (s) => ({ ...s, step: 10 }), /^\$\.step: unknown key; expected one of name, steps, seeds, tasks, optimizers, description/],
  ['a learned optimizer with nothing to load or train', (s) => { s.optimizers[2] = { name: 'learned', learned: { kind: 'lr-schedule' } } as never; return s; }, /^\$\.optimizers\[2\]\.learned: a learned optimizer needs a 'checkpoint' to load, a 'metaTrain' config to train one, or both \(or mode 'online' to learn from scratch during each run\)$/],
  ['an unknown learned kind', (s) => { s.optimizers[2] = { name: 'learned', learned: { kind: 'lsmt', checkpoint: 'x' } } as never; return s; }, /^\$\.optimizers\[2\]\.learned\.kind: unknown learned optimizer 'lsmt'; known kinds: lr-schedule/],
  ['a bad meta-training option', (s) => { (s.optimizers[2] as { learned: { metaTrain: { config: object } } }).learned.metaTrain.config = { iterations: 'many' }; return s; }, /^\$\.optimizers\[2\]\.learned\.metaTrain\.config\.iterations: expected a positive integer, got "many"$/],
  ['a PPO option out of range for the coordinate policy', (s) => { s.optimizers[2] = { name: 'learned', learned: { kind: 'coordinate-policy', metaTrain: { task: { task: 'logisticRegression' }, config: { method: 'ppo', gamma: 1.5 } } } } as never; return s; }, /^\$\.optimizers\[2\]\.learned\.metaTrain\.config\.gamma: expected a number in \[0, 1\], got 1\.5$/],
  ['a target accuracy with no evaluation interval', (s) => ({ ...s, targetAccuracy: 0.9 }), /^\$\.evaluateEvery: give 'evaluateEvery' and 'targetAccuracy' together/],
  ['a target accuracy above 1', (s) => ({ ...s, targetAccuracy: 90, evaluateEvery: 10 }), /^\$\.targetAccuracy: expected a fraction in \(0, 1\], got 90$/],
  ['both rule and learned', (s) => { s.optimizers[0] = { ...s.optimizers[0]!, learned: { kind: 'lr-schedule', checkpoint: 'x' } } as never; return s; }, /^\$\.optimizers\[0\]: give exactly one of 'rule' \(a hand-designed rule\) or 'learned'/],
  ['duplicate optimizer names', (s) => { s.optimizers[1] = { ...s.optimizers[1]!, name: 'adam' }; return s; }, /^\$\.optimizers\[1\]\.name: duplicate optimizer name 'adam'$/],
  ['a bad backend', (s) => ({ ...s, backend: 'gpu' }), /^\$\.backend: expected BackendRequest, got "gpu"$/],
  ['an optimizer restricted to a task id that does not exist', (s) => { s.optimizers[0] = { ...s.optimizers[0]!, tasks: ['rosenbrock', 'noisy2d'] }; return s; }, /^\$\.optimizers\[0\]\.tasks: no task has the id 'noisy2d'; the suite's task ids are rosenbrock, noisy3d$/],
  ['a typo inside a grid, reported where it is', (s) => { s.optimizers[0] = { name: 'adam', rule: 'adam', grid: { learningRat: [0.1, 0.01] } }; return s; }, /^\$\.optimizers\[0\]\.grid\.learningRat: unknown option for rule 'adam'; expected one of learningRate, beta1, beta2, epsilon$/],
  ['a grid too large to run', (s) => { s.optimizers[0] = { name: 'adam', rule: 'adam', grid: { learningRate: Array.from({ length: 200 }, (_, i) => i / 1000), beta1: Array.from({ length: 200 }, (_, i) => i / 1000) } }; return s; }, /^\$\.optimizers\[0\]\.grid: 40,000 grid points; at most 10,000/],
  ['more steps than a run can record', (s) => ({ ...s, steps: 1e12 }), /^\$\.steps: at most 10,000,000 steps per run, got 1000000000000$/],
  ['a step count beyond safe integers', (s) => ({ ...s, steps: 1e300 }), /^\$\.steps: expected a positive integer, got 1e\+300$/],
  ['a negative divergence factor', (s) => ({ ...s, divergenceFactor: -1 }), /^\$\.divergenceFactor: expected a positive number, got -1$/],
  ['negative gradient noise', (s) => { s.tasks[0] = { task: 'rosenbrock', gradientNoise: -0.1 }; return s; }, /^\$\.tasks\[0\]\.gradientNoise: expected a standard deviation ≥ 0, got -0\.1$/],
  ['an optimizer restricted to no task', (s) => { s.optimizers[0] = { ...s.optimizers[0]!, tasks: [] }; return s; }, /^\$\.optimizers\[0\]\.tasks: an empty list runs this optimizer nowhere/],
];

for (const [what, mutate, expected] of cases) {
  test(`rejects ${what}`, (t) => {
    const problems = problemsOf(mutate(valid()));
    t.true(problems.some((p) => expected.test(p)), `problems were:\n${problems.join('\n')}`);
  });
}

test('every problem in a file is reported at once', (t) => {
  const s = valid();
  s.tasks[0] = { task: 'nope' };
  s.optimizers[0] = { name: 'x', rule: 'nope' } as never;
  t.is(problemsOf(s).length, 2);
});

test('every problem is reported, whatever else is wrong: a wrong type does not hide the other entries\' problems', (t) => {
  const s = valid();
  s['steps'] = '10';
  s.tasks[0] = { task: 'rosenbrok' };
  s.tasks[1] = { task: 'quadratic', option: {} };
  s.optimizers[0] = { name: 'adam', rule: 'adam', grid: { learningRat: [0.1] } };
  s.optimizers[1] = { name: 'typo', rule: 'adamm' };
  s.optimizers[2] = { name: 'sgd', rule: 'sgd', grid: { learningRate: [0.1, '0.2'] }, task: ['x'] };
  const problems = problemsOf(s);
  const expected = [
    /^\$\.steps: expected a positive integer, got "10"$/,
    /^\$\.tasks\[0\]\.task: unknown task 'rosenbrok'/,
    /^\$\.tasks\[1\]\.option: unknown key; expected one of task, id, options/,
    /^\$\.optimizers\[0\]\.grid\.learningRat: unknown option for rule 'adam'/,
    /^\$\.optimizers\[1\]\.rule\.rule: unknown rule 'adamm'/,
    /^\$\.optimizers\[2\]\.grid\.learningRate\[1\]: expected number, got "0\.2"$/,
    /^\$\.optimizers\[2\]\.task: unknown key; expected one of name, rule, grid, learned, tasks$/,
  ];
  for (const pattern of expected) t.true(problems.some((p) => pattern.test(p)), `${pattern} not in:\n${problems.join('\n')}`);
  t.is(problems.length, expected.length, problems.join('\n'));
});

test('unreadable files and invalid JSON are reported with the file name', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-suite-'));
  const file = path.join(dir, 'broken.json');
  await writeFile(file, '{"name": "x", ');
  const error = await t.throwsAsync(readSuite(file), { instanceOf: SuiteError });
  t.regex(error!.message, /broken\.json is not a valid suite:\n {2}- not valid JSON/);
  await t.throwsAsync(readSuite(path.join(dir, 'absent.json')), { message: /absent\.json is not a valid suite:\n {2}- cannot read the file/ });
});

test('the shipped suites are valid', async (t) => {
  for (const file of ['suites/2d.json', 'suites/l2l-quadratic.json', 'suites/l2l-quadratic-200.json', 'suites/l2l-mnist.json', 'suites/l2l-mnist-200.json']) {
    const suite = await readSuite(file);
    t.true(suite.tasks.length > 0 && suite.optimizers.length > 0, file);
  }
});
