/**
 * The suite file format (`suites/*.json`), as io-ts codecs. Decoding turns a file
 * into a typed value or a list of errors that name the JSON path and what was
 * expected; unknown keys are refused among the other errors (codec/strict.ts); semantic checks (known
 * tasks, rules and options) follow in decode.ts.
 */
import t from '#cjs/io-ts';
import { BackendRequest } from '../backend/names.js';
import { strict } from '../codec/strict.js';
import * as values from '../codec/values.js';

const PositiveInt = values.positiveInt;
const Primitive = t.union([t.number, t.string, t.boolean]);
/** Options and configs are decoded by their own codecs (the task kind's, the learned kind's, the meta-trainer's), at their paths. */
const Options = t.record(t.string, t.unknown, 'an object');

export const TaskEntry = strict('TaskEntry', { task: t.string }, {
  id: t.string,
  options: Options,
  gradientNoise: t.refinement(t.number, (n) => n >= 0, 'a standard deviation ≥ 0'),
  /** Overrides the task's loss threshold for `stepsToThreshold` (Zhu et al. count steps to a training loss of 0.02). */
  threshold: t.number,
});

export const LearnedEntry = strict('LearnedEntry', { kind: t.string }, {
  hyperParams: Options,
  /** A checkpoint directory (relative to the suite file); created by meta-training when absent. */
  checkpoint: t.string,
  metaTrain: strict('MetaTrainEntry', { task: TaskEntry }, { config: Options }),
  mode: t.keyof({ frozen: null, online: null }),
});

export const OptimizerEntry = strict('OptimizerEntry', { name: t.string }, {
  /** A rule name (`"adam"`) or a full rule spec (`{"rule": "adam", "options": {…}}`). */
  rule: t.union([t.string, t.type({ rule: t.string, options: t.record(t.string, t.unknown) })]),
  /** Options to tune — a rule's, or a learned optimizer's deployment options (learnedGrid.ts): each run takes one combination (the grid's cartesian product). */
  grid: t.record(t.string, t.array(t.number)),
  learned: LearnedEntry,
  /** Run this optimizer on these task ids only (default: every task of the suite). */
  tasks: t.array(t.string),
});

export const Metric = t.keyof({ finalLoss: null, bestLoss: null, auc: null, stepsToThreshold: null, wallMs: null, testAccuracy: null, testLoss: null, evalLoss: null, evalAuc: null, stepsToTarget: null, msToTarget: null });

const suiteOptional = {
  description: t.string,
  backend: BackendRequest,
  metrics: t.array(Metric),
  divergenceFactor: t.number,
  notes: t.array(Primitive),
  /** Tasks with held-out metrics: check test accuracy every N steps (on evaluationLimit examples) … */
  evaluateEvery: PositiveInt,
  evaluationLimit: PositiveInt,
  /** … to record the steps each run needs to reach this test accuracy. */
  targetAccuracy: t.number,
  /** The evaluation curve: every N steps, the training loss measured properly (full set, or the first `examples`), test metrics where the task has them. */
  evaluation: strict('Evaluation', { every: PositiveInt }, { examples: PositiveInt }),
  /** The optimizer every other is compared with seed by seed, and normalised against across tasks (default: `adam` when the suite has one). */
  reference: t.string,
  /** How grid points are chosen: on held-out tuning seeds (with bracketing), or on the scored seeds themselves (the papers' way; the default, for old suites). */
  tuning: strict('Tuning', { mode: t.keyof({ 'held-out': null, 'scored-seeds': null }) }, { seeds: PositiveInt, bracket: t.boolean, maxExtensions: PositiveInt }),
};

/** Steps per run (at most MAX_STEPS, checked in decode.ts: each run records steps + 1 losses). */
export const MAX_STEPS = 10_000_000;

export const SuiteFile = strict('Suite', { name: t.string, steps: PositiveInt, seeds: PositiveInt, tasks: t.array(TaskEntry), optimizers: t.array(OptimizerEntry) }, suiteOptional);

/** The suite's own fields, with its tasks and optimizers left for decoding one by one (so each entry's problems are reported, whatever the others'). */
export const SuiteHeader = strict('Suite', { name: t.string, steps: PositiveInt, seeds: PositiveInt, tasks: t.array(t.unknown, 'a list of tasks'), optimizers: t.array(t.unknown, 'a list of optimizers') }, suiteOptional);
export type SuiteFile = t.TypeOf<typeof SuiteFile>;
export type TaskEntry = t.TypeOf<typeof TaskEntry>;
export type OptimizerEntry = t.TypeOf<typeof OptimizerEntry>;
export type LearnedEntry = t.TypeOf<typeof LearnedEntry>;
