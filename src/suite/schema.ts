/**
 * The suite file format (`suites/*.json`), as io-ts codecs. Decoding turns a file
 * into a typed value or a list of errors that name the JSON path and what was
 * expected; semantic checks (known tasks, rules and options) follow in decode.ts.
 */
import * as t from 'io-ts';
import { BackendRequest } from '../backend/names.js';

const PositiveInt = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'positive integer');
const Primitive = t.union([t.number, t.string, t.boolean]);

export const TaskEntry = t.intersection([
  t.type({ task: t.string }),
  t.partial({
    id: t.string,
    options: t.partial({ dimension: PositiveInt, dataset: t.string, hidden: t.array(PositiveInt), activation: t.string, batchSize: PositiveInt, points: PositiveInt, classes: PositiveInt, ways: PositiveInt, shots: PositiveInt, queries: PositiveInt, filters: PositiveInt, net: t.string, normalization: t.string, augment: t.partial({ crop: t.number, flip: t.boolean }), maml: t.intersection([t.type({ checkpoint: t.string }), t.partial({ config: t.record(t.string, t.unknown) })]) }),
    gradientNoise: t.number,
    /** Overrides the task's loss threshold for `stepsToThreshold` (Zhu et al. count steps to a training loss of 0.02). */
    threshold: t.number,
  }),
], 'TaskEntry');

export const LearnedEntry = t.intersection([
  t.type({ kind: t.string }),
  t.partial({
    hyperParams: t.record(t.string, t.unknown),
    /** A checkpoint directory (relative to the suite file); created by meta-training when absent. */
    checkpoint: t.string,
    metaTrain: t.intersection([t.type({ task: TaskEntry }), t.partial({ config: t.record(t.string, t.unknown) })]),
    mode: t.keyof({ frozen: null, online: null }),
  }),
], 'LearnedEntry');

export const OptimizerEntry = t.intersection([
  t.type({ name: t.string }),
  t.partial({
    /** A rule name (`"adam"`) or a full rule spec (`{"rule": "adam", "options": {…}}`). */
    rule: t.union([t.string, t.type({ rule: t.string, options: t.record(t.string, t.unknown) })]),
    /** Options to tune: each run takes one combination (the grid's cartesian product). */
    grid: t.record(t.string, t.array(t.number)),
    learned: LearnedEntry,
    /** Run this optimizer on these task ids only (default: every task of the suite). */
    tasks: t.array(t.string),
  }),
], 'OptimizerEntry');

export const Metric = t.keyof({ finalLoss: null, bestLoss: null, auc: null, stepsToThreshold: null, wallMs: null, testAccuracy: null });

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
};

/** Steps per run (at most MAX_STEPS, checked in decode.ts: each run records steps + 1 losses). */
export const MAX_STEPS = 10_000_000;

export const SuiteFile = t.intersection([
  t.type({ name: t.string, steps: PositiveInt, seeds: PositiveInt, tasks: t.array(TaskEntry), optimizers: t.array(OptimizerEntry) }),
  t.partial(suiteOptional),
], 'Suite');

/** The suite's own fields, with its tasks and optimizers left for decoding one by one (so each entry's problems are reported, whatever the others'). */
export const SuiteHeader = t.intersection([
  t.type({ name: t.string, steps: PositiveInt, seeds: PositiveInt, tasks: t.array(t.unknown, 'a list of tasks'), optimizers: t.array(t.unknown, 'a list of optimizers') }),
  t.partial(suiteOptional),
], 'Suite');
export type SuiteFile = t.TypeOf<typeof SuiteFile>;
export type TaskEntry = t.TypeOf<typeof TaskEntry>;
export type OptimizerEntry = t.TypeOf<typeof OptimizerEntry>;
export type LearnedEntry = t.TypeOf<typeof LearnedEntry>;

/** Keys each object in the format may have (io-ts ignores unknown keys; we refuse them, since a typo'd key would silently do nothing). */
export const ALLOWED_KEYS = {
  suite: ['name', 'description', 'backend', 'steps', 'seeds', 'tasks', 'optimizers', 'metrics', 'divergenceFactor', 'notes', 'evaluateEvery', 'evaluationLimit', 'targetAccuracy'],
  task: ['task', 'id', 'options', 'gradientNoise', 'threshold'],
  optimizer: ['name', 'rule', 'grid', 'learned', 'tasks'],
  learned: ['kind', 'hyperParams', 'checkpoint', 'metaTrain', 'mode'],
  metaTrain: ['task', 'config'],
} as const;
