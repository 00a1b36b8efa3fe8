/**
 * Reads a suite file into a checked plan of tasks and optimizers. Everything that
 * can be checked before running is checked here — JSON syntax, the schema,
 * unknown keys, task kinds, rule names and options, grid keys, learned-optimizer
 * kinds and meta-training configs — and every problem is reported at once, each
 * with its JSON path.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isLeft } from '#cjs/fp-ts-either';
import { createLearnedOptimizer, learnedKinds } from '../learned/index.js';
import { decodeMetaTraining, type MetaTraining } from '../meta/metaTrain.js';
import { metaTrainerNamed } from '../meta/registry.js';
import { ruleFromSpec, type RuleSpec } from '../rules/index.js';
import { taskFromSpec, type Task, type TaskContext } from '../tasks/index.js';
import type * as t from 'io-ts';
import { problemsOf } from '../codec/decode.js';
import { SuiteError, describeErrors, shortJson } from './errors.js';
import { MAX_STEPS, OptimizerEntry, SuiteHeader, TaskEntry, type LearnedEntry } from './schema.js';
import type { JsonValue } from '../learned/types.js';
import type { BackendRequest } from '../backend/names.js';
import { checkTuning, referenceOf, tuningPlan, type TuningPlan } from './tuning/protocol.js';
import { gridBase, learnedGridProblems } from './learnedGrid.js';

export interface PlannedRule {
  type: 'rule';
  name: string;
  spec: RuleSpec;
  grid: Record<string, number[]>;
  /** False when the rule couples coordinates across rows (global-norm clipping): such runs are not batched. */
  separable: boolean;
}

export interface LearnedOptimizerPlan {
  type: 'learned';
  name: string;
  kind: string;
  hyperParams: Record<string, JsonValue>;
  /** Deployment options to tune (learnedGrid.ts): each grid point runs the one meta-trained φ with those values. */
  grid: Record<string, number[]>;
  /** The options grid points are applied over, for checking them (the checkpoint's when it exists, else hyperParams). */
  gridBase: Record<string, JsonValue>;
  /** Absolute checkpoint directory, when the suite names one. */
  checkpoint?: string;
  /** `config` as the suite gave it (recorded beside the checkpoint); `training`, decoded by its meta-trainer. */
  metaTrain?: { task: Task; config: Record<string, JsonValue>; training: MetaTraining };
  mode: 'frozen' | 'online';
}

/** `tasks`: the ids of the tasks this optimizer runs on, when the suite restricts it. */
export type PlannedOptimizer = (PlannedRule | LearnedOptimizerPlan) & { tasks?: string[] };

export interface Suite {
  file: string;
  name: string;
  description?: string;
  backend?: BackendRequest;
  steps: number;
  seeds: number;
  tasks: Task[];
  optimizers: PlannedOptimizer[];
  metrics: string[];
  divergenceFactor: number;
  evaluateEvery?: number;
  evaluationLimit?: number;
  targetAccuracy?: number;
  /** The evaluation curve's schedule (evaluation.ts). */
  evaluation?: { every: number; examples?: number };
  /** The optimizer others are compared with and normalised against, when the suite has one. */
  reference?: string;
  /** How grid points are chosen (see tuning/protocol.ts). */
  tuning: TuningPlan;
  /** The file's JSON as read (copied next to the results). */
  raw: unknown;
  /** The --data-dir it was read with: worker processes decode the suite again with the same one. */
  dataDir?: string;
}

/** Most grid points one optimizer may have on one task (each point runs on every seed). */
export const MAX_GRID_POINTS = 10_000;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Decodes `value` (found at JSON path `at`) or adds every problem, each with its path. */
function decodeAt<A>(codec: t.Decoder<unknown, A>, value: unknown, at: string, problems: string[]): A | undefined {
  const decoded = codec.decode(value);
  if (isLeft(decoded)) {
    problems.push(...describeErrors(decoded.left, at));
    return undefined;
  }
  return decoded.right;
}

/**
 * Runs a check that throws; its message becomes a problem. A message that does not
 * start with a JSON path (a library's own, say `lr-schedule.horizon: …`) is put at `at`.
 */
function attempt<T>(problems: string[], at: string, fn: () => T, ownPrefix?: string): T | undefined {
  try {
    return fn();
  } catch (error) {
    for (const message of problemsOf(error)) {
      if (message.startsWith('$')) problems.push(message);
      else if (ownPrefix !== undefined && message.startsWith(`${ownPrefix}.`)) problems.push(`${at}${message.slice(ownPrefix.length)}`);
      else problems.push(`${at}: ${message}`);
    }
    return undefined;
  }
}

function resolveTask(entry: TaskEntry, at: string, suiteDir: string, context: TaskContext, problems: string[]): Task | undefined {
  // A MAML initialisation's folder is named relative to the suite file, like checkpoints.
  const maml = entry.options?.['maml'];
  const options = isObject(maml) && typeof maml['checkpoint'] === 'string' ? { ...entry.options, maml: { ...maml, checkpoint: path.resolve(suiteDir, maml['checkpoint']) } } : entry.options;
  const spec = { task: entry.task, ...(entry.id === undefined ? {} : { id: entry.id }), ...(options === undefined ? {} : { options }), ...(entry.gradientNoise === undefined ? {} : { gradientNoise: entry.gradientNoise }), ...(entry.threshold === undefined ? {} : { threshold: entry.threshold }) };
  const task = attempt(problems, at, () => taskFromSpec(spec, at, context));
  // A meta-learned start (MAML) is trained by the prepare step; its config is checked here, by its meta-trainer.
  const start = task?.learnedStart;
  if (start !== undefined) attempt(problems, `${at}.options.maml.config`, () => metaTrainerNamed(start.method)!.decode(start.config, `${at}.options.maml.config`));
  return task;
}

/** A problem the rule reports about option `key` set from the grid, moved to where that value is: `grid.key`, or `grid.key[i]`. */
function gridProblem(message: string, at: string, key: string, index: number): string {
  const optionPath = `${at}.rule.options.${key}`;
  if (!message.startsWith(optionPath)) return `${at}.grid.${key}[${index}]: ${message}`;
  const rest = message.slice(optionPath.length);
  return rest.includes('unknown option') ? `${at}.grid.${key}${rest}` : `${at}.grid.${key}[${index}]${rest}`;
}

function resolveRule(entry: OptimizerEntry, at: string, problems: string[]): PlannedRule | undefined {
  if (entry.rule === undefined) return undefined;
  const spec: RuleSpec = typeof entry.rule === 'string' ? { rule: entry.rule, options: {} } : (entry.rule as RuleSpec);
  const grid = entry.grid ?? {};
  for (const [key, values] of Object.entries(grid)) {
    if (values.length === 0) problems.push(`${at}.grid.${key}: expected at least one value`);
  }
  const points = Object.values(grid).reduce((n, values) => n * values.length, 1);
  if (points > MAX_GRID_POINTS) problems.push(`${at}.grid: ${points.toLocaleString('en')} grid points; at most ${MAX_GRID_POINTS.toLocaleString('en')} (each runs on every seed): use fewer values`);
  const ok = attempt(problems, `${at}.rule`, () => ruleFromSpec(spec, `${at}.rule`));
  if (ok === undefined) return undefined;
  // Each grid key is checked as an option of the rule, with its first, smallest and largest values (options are
  // checked against ranges, so these stand for all), and a problem is reported where it is in the grid.
  let gridOk = points <= MAX_GRID_POINTS;
  for (const [key, values] of gridOk ? Object.entries(grid) : []) {
    const probes = [...new Set([0, values.indexOf(Math.min(...values)), values.indexOf(Math.max(...values))])].filter((i) => i >= 0 && i < values.length);
    for (const i of probes) {
      const value = values[i]!;
      try {
        ruleFromSpec({ ...spec, options: { ...spec.options, [key]: value } }, `${at}.rule`);
      } catch (error) {
        const problem = gridProblem((error as Error).message, at, key, i);
        problems.push(problem);
        gridOk = false;
        if (problem.startsWith(`${at}.grid.${key}:`)) break; // the key itself is wrong: one message
      }
    }
  }
  if (!gridOk) return undefined;
  return { type: 'rule', name: entry.name, spec, grid, separable: ok.mixesCoordinates !== true };
}

/** `entryAt`: the optimizer entry's path (its `grid` sits beside `learned`). */
function resolveLearned(entry: LearnedEntry, grid: Record<string, number[]>, entryAt: string, suiteDir: string, context: TaskContext, problems: string[]): LearnedOptimizerPlan | undefined {
  const at = `${entryAt}.learned`;
  if (!learnedKinds().includes(entry.kind)) {
    problems.push(`${at}.kind: unknown learned optimizer '${entry.kind}'; known kinds: ${learnedKinds().join(', ')}`);
    return undefined;
  }
  const hyperParams = (entry.hyperParams ?? {}) as Record<string, JsonValue>;
  const probe = attempt(problems, `${at}.hyperParams`, () => createLearnedOptimizer(entry.kind, hyperParams, `${at}.hyperParams`), entry.kind);
  if (entry.checkpoint === undefined && entry.metaTrain === undefined && entry.mode !== 'online') {
    problems.push(`${at}: a learned optimizer needs a 'checkpoint' to load, a 'metaTrain' config to train one, or both (or mode 'online' to learn from scratch during each run)`);
  }
  let metaTrain: LearnedOptimizerPlan['metaTrain'];
  if (entry.metaTrain !== undefined) {
    const task = resolveTask(entry.metaTrain.task, `${at}.metaTrain.task`, suiteDir, context, problems);
    const config = (entry.metaTrain.config ?? {}) as Record<string, JsonValue>;
    // Decoded once, here, by the meta-trainer it names: the runner trains with this typed config.
    const training = probe === undefined ? undefined : attempt(problems, `${at}.metaTrain.config`, () => decodeMetaTraining(probe, config, `${at}.metaTrain.config`));
    if (task !== undefined && training !== undefined) metaTrain = { task, config, training };
  }
  if (entry.mode === 'online' && probe !== undefined && probe.onlineRule === undefined) {
    problems.push(`${at}.mode: '${entry.kind}' has no online mode; use 'frozen' (or a kind that learns while it runs, such as 'actor-critic')`);
  }
  probe?.dispose();
  const points = Object.values(grid).reduce((n, values) => n * values.length, 1);
  if (points > MAX_GRID_POINTS) problems.push(`${entryAt}.grid: ${points.toLocaleString('en')} grid points; at most ${MAX_GRID_POINTS.toLocaleString('en')} (each runs on every seed): use fewer values`);
  const checkpoint = entry.checkpoint === undefined ? undefined : path.resolve(suiteDir, entry.checkpoint);
  const base = Object.keys(grid).length === 0 ? hyperParams : gridBase(entry.kind, hyperParams, checkpoint);
  if (points <= MAX_GRID_POINTS) problems.push(...learnedGridProblems(entry.kind, base, entry.mode ?? 'frozen', grid, entryAt));
  return {
    type: 'learned',
    name: '',
    kind: entry.kind,
    hyperParams,
    grid,
    gridBase: base,
    ...(checkpoint === undefined ? {} : { checkpoint }),
    ...(metaTrain === undefined ? {} : { metaTrain }),
    mode: entry.mode ?? 'frozen',
  };
}

/**
 * A suite file's JSON → a checked plan, or a SuiteError listing every problem
 * with its JSON path. The suite's fields, each task and each optimizer are
 * decoded apart, so one wrong entry does not hide the problems of the others.
 * `context.dataDir` is where tasks that read datasets look first (--data-dir).
 */
export function decodeSuite(raw: unknown, file: string, context: TaskContext = {}): Suite {
  if (!isObject(raw)) throw new SuiteError(file, [`$: expected a suite, a JSON object with name, steps, seeds, tasks and optimizers; got ${shortJson(raw)}`]);
  const problems: string[] = [];
  const suite = decodeAt(SuiteHeader, raw, '$', problems);
  const rawTasks = isObject(raw) && Array.isArray(raw['tasks']) ? (raw['tasks'] as unknown[]) : [];
  const rawOptimizers = isObject(raw) && Array.isArray(raw['optimizers']) ? (raw['optimizers'] as unknown[]) : [];

  const suiteDir = path.dirname(path.resolve(file));
  const tasks: Task[] = [];
  rawTasks.forEach((rawEntry, i) => {
    const at = `$.tasks[${i}]`;
    const entry = decodeAt(TaskEntry, rawEntry, at, problems);
    const task = entry === undefined ? undefined : resolveTask(entry, at, suiteDir, context, problems);
    if (task === undefined) return;
    if (tasks.some((t) => t.id === task.id)) problems.push(`${at}: duplicate task id '${task.id}'; give one of them an "id"`);
    tasks.push(task);
  });
  const taskIdsKnown = tasks.length === rawTasks.length;

  const optimizers: PlannedOptimizer[] = [];
  const names = new Set<string>();
  rawOptimizers.forEach((rawEntry, i) => {
    const at = `$.optimizers[${i}]`;
    const entry = decodeAt(OptimizerEntry, rawEntry, at, problems);
    if (entry === undefined) return;
    if (names.has(entry.name)) problems.push(`${at}.name: duplicate optimizer name '${entry.name}'`);
    names.add(entry.name);
    if ((entry.rule === undefined) === (entry.learned === undefined)) {
      problems.push(`${at}: give exactly one of 'rule' (a hand-designed rule) or 'learned' (a learned optimizer)`);
      return;
    }
    const planned = entry.learned !== undefined ? resolveLearned(entry.learned, entry.grid ?? {}, at, suiteDir, context, problems) : resolveRule(entry, at, problems);
    if (entry.tasks !== undefined) {
      // Task ids can be checked only when every task entry resolved.
      const unknown = taskIdsKnown ? entry.tasks.filter((id) => !tasks.some((task) => task.id === id)) : [];
      if (unknown.length > 0) problems.push(`${at}.tasks: no task has the id '${unknown.join("', '")}'; the suite's task ids are ${tasks.map((t) => t.id).join(', ')}`);
      if (entry.tasks.length === 0) problems.push(`${at}.tasks: an empty list runs this optimizer nowhere; leave 'tasks' out to run it on every task`);
    }
    if (planned !== undefined) optimizers.push({ ...planned, name: entry.name, ...(entry.tasks === undefined ? {} : { tasks: entry.tasks }) });
  });

  if (suite !== undefined) {
    if (rawTasks.length === 0) problems.push('$.tasks: expected at least one task');
    if (rawOptimizers.length === 0) problems.push('$.optimizers: expected at least one optimizer');
    if ((suite.targetAccuracy === undefined) !== (suite.evaluateEvery === undefined)) {
      problems.push(`$.${suite.targetAccuracy === undefined ? 'targetAccuracy' : 'evaluateEvery'}: give 'evaluateEvery' and 'targetAccuracy' together (how often to check, and the accuracy to reach)`);
    }
    if (suite.targetAccuracy !== undefined && !(suite.targetAccuracy > 0 && suite.targetAccuracy <= 1)) problems.push(`$.targetAccuracy: expected a fraction in (0, 1], got ${suite.targetAccuracy}`);
    if (suite.steps > MAX_STEPS) problems.push(`$.steps: at most ${MAX_STEPS.toLocaleString('en')} steps per run, got ${suite.steps}`);
    if (suite.divergenceFactor !== undefined && !(suite.divergenceFactor > 0)) problems.push(`$.divergenceFactor: expected a positive number, got ${suite.divergenceFactor}`);
    const needsCurve = (suite.metrics ?? []).filter((m) => ['evalLoss', 'evalAuc', 'stepsToTarget', 'msToTarget'].includes(m));
    if (needsCurve.length > 0 && suite.evaluation === undefined) problems.push(`$.metrics: ${needsCurve.join(', ')} come from the evaluation curve; add "evaluation": {"every": N} (evaluate every N steps)`);
    checkTuning(suite, optimizers.map((o) => o.name), problems);
  }
  if (problems.length > 0 || suite === undefined) throw new SuiteError(file, problems);
  return {
    file,
    name: suite.name,
    ...(suite.description === undefined ? {} : { description: suite.description }),
    ...(suite.backend === undefined ? {} : { backend: suite.backend }),
    steps: suite.steps,
    seeds: suite.seeds,
    tasks,
    optimizers,
    metrics: suite.metrics ?? ['finalLoss', 'auc', 'stepsToThreshold'],
    divergenceFactor: suite.divergenceFactor ?? 1e6,
    ...(suite.evaluateEvery === undefined ? {} : { evaluateEvery: suite.evaluateEvery }),
    ...(suite.evaluationLimit === undefined ? {} : { evaluationLimit: suite.evaluationLimit }),
    ...(suite.targetAccuracy === undefined ? {} : { targetAccuracy: suite.targetAccuracy }),
    ...referenceOf(suite.reference, optimizers),
    ...(suite.evaluation === undefined ? {} : { evaluation: suite.evaluation }),
    tuning: tuningPlan(suite.tuning),
    raw,
    ...(context.dataDir === undefined ? {} : { dataDir: context.dataDir }),
  };
}

export async function readSuite(file: string, context: TaskContext = {}): Promise<Suite> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SuiteError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new SuiteError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
  return decodeSuite(raw, file, context);
}
