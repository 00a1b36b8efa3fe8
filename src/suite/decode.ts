/**
 * Reads a suite file into a checked plan of tasks and optimizers. Everything that
 * can be checked before running is checked here — JSON syntax, the schema,
 * unknown keys, task kinds, rule names and options, grid keys, learned-optimizer
 * kinds and meta-training configs — and every problem is reported at once, each
 * with its JSON path.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import { createLearnedOptimizer, learnedKinds } from '../learned/index.js';
import { decodeMetaTrainConfig } from '../meta/config.js';
import { ruleFromSpec, type RuleSpec } from '../rules/index.js';
import { taskFromSpec, type Task } from '../tasks/index.js';
import { SuiteError, describeErrors } from './errors.js';
import { ALLOWED_KEYS, SuiteFile, type LearnedEntry, type OptimizerEntry, type TaskEntry } from './schema.js';
import type { JsonValue } from '../learned/types.js';
import type { BackendRequest } from '../backend/names.js';

export interface RuleOptimizer {
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
  /** Absolute checkpoint directory, when the suite names one. */
  checkpoint?: string;
  metaTrain?: { task: Task; config: Record<string, JsonValue> };
  mode: 'frozen' | 'online';
}

/** `tasks`: the ids of the tasks this optimizer runs on, when the suite restricts it. */
export type PlannedOptimizer = (RuleOptimizer | LearnedOptimizerPlan) & { tasks?: string[] };

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
  /** The file's JSON as read (copied next to the results). */
  raw: unknown;
}

function unknownKeys(value: object, allowed: readonly string[], at: string, problems: string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.push(`${at}.${key}: unknown key; expected one of ${allowed.join(', ')}`);
  }
}

function attempt<T>(problems: string[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    problems.push((error as Error).message);
    return undefined;
  }
}

function resolveTask(entry: TaskEntry, at: string, suiteDir: string, problems: string[]): Task | undefined {
  unknownKeys(entry, ALLOWED_KEYS.task, at, problems);
  // A MAML initialisation's folder is named relative to the suite file, like checkpoints.
  const options = entry.options?.maml === undefined ? entry.options : { ...entry.options, maml: { ...entry.options.maml, checkpoint: path.resolve(suiteDir, entry.options.maml.checkpoint) } };
  const spec = { task: entry.task, ...(entry.id === undefined ? {} : { id: entry.id }), ...(options === undefined ? {} : { options }), ...(entry.gradientNoise === undefined ? {} : { gradientNoise: entry.gradientNoise }), ...(entry.threshold === undefined ? {} : { threshold: entry.threshold }) };
  return attempt(problems, () => taskFromSpec(spec, at));
}

function resolveRule(entry: OptimizerEntry, at: string, problems: string[]): RuleOptimizer | undefined {
  if (entry.rule === undefined) return undefined;
  const spec: RuleSpec = typeof entry.rule === 'string' ? { rule: entry.rule, options: {} } : (entry.rule as RuleSpec);
  const grid = entry.grid ?? {};
  for (const [key, values] of Object.entries(grid)) {
    if (values.length === 0) problems.push(`${at}.grid.${key}: expected at least one value`);
  }
  // Validate the rule with the grid's first values in place, so grid keys are checked like options.
  const probe = { ...spec, options: { ...spec.options, ...Object.fromEntries(Object.entries(grid).map(([k, v]) => [k, v[0] ?? 0])) } };
  const ok = attempt(problems, () => ruleFromSpec(probe, `${at}.rule`));
  if (ok === undefined) return undefined;
  return { type: 'rule', name: entry.name, spec, grid, separable: !JSON.stringify(spec).includes('clipByGlobalNorm') };
}

function resolveLearned(entry: LearnedEntry, at: string, suiteDir: string, problems: string[]): LearnedOptimizerPlan | undefined {
  unknownKeys(entry, ALLOWED_KEYS.learned, at, problems);
  if (!learnedKinds().includes(entry.kind)) {
    problems.push(`${at}.kind: unknown learned optimizer '${entry.kind}'; known kinds: ${learnedKinds().join(', ')}`);
    return undefined;
  }
  const hyperParams = (entry.hyperParams ?? {}) as Record<string, JsonValue>;
  const probe = attempt(problems, () => createLearnedOptimizer(entry.kind, hyperParams));
  const checkConfig = (config: Record<string, JsonValue>, at: string) =>
    probe?.checkMetaTrainConfig !== undefined ? probe.checkMetaTrainConfig(config, at) : decodeMetaTrainConfig(config, at);
  if (entry.checkpoint === undefined && entry.metaTrain === undefined && entry.mode !== 'online') {
    problems.push(`${at}: a learned optimizer needs a 'checkpoint' to load, a 'metaTrain' config to train one, or both (or mode 'online' to learn from scratch during each run)`);
  }
  let metaTrain: LearnedOptimizerPlan['metaTrain'];
  if (entry.metaTrain !== undefined) {
    unknownKeys(entry.metaTrain, ALLOWED_KEYS.metaTrain, `${at}.metaTrain`, problems);
    const task = resolveTask(entry.metaTrain.task, `${at}.metaTrain.task`, suiteDir, problems);
    const config = (entry.metaTrain.config ?? {}) as Record<string, JsonValue>;
    attempt(problems, () => checkConfig(config, `${at}.metaTrain.config`));
    if (task !== undefined) metaTrain = { task, config };
  }
  if (entry.mode === 'online' && probe !== undefined && probe.onlineRule === undefined) {
    problems.push(`${at}.mode: '${entry.kind}' has no online mode; use 'frozen' (or a kind that learns while it runs, such as 'actor-critic')`);
  }
  probe?.dispose();
  return {
    type: 'learned',
    name: '',
    kind: entry.kind,
    hyperParams,
    ...(entry.checkpoint === undefined ? {} : { checkpoint: path.resolve(suiteDir, entry.checkpoint) }),
    ...(metaTrain === undefined ? {} : { metaTrain }),
    mode: entry.mode ?? 'frozen',
  };
}

export function decodeSuite(raw: unknown, file: string): Suite {
  const decoded = SuiteFile.decode(raw);
  if (isLeft(decoded)) throw new SuiteError(file, describeErrors(decoded.left));
  const suite = decoded.right;
  const problems: string[] = [];
  unknownKeys(suite, ALLOWED_KEYS.suite, '$', problems);

  const suiteDir = path.dirname(path.resolve(file));
  const tasks: Task[] = [];
  suite.tasks.forEach((entry, i) => {
    const task = resolveTask(entry, `$.tasks[${i}]`, suiteDir, problems);
    if (task === undefined) return;
    if (tasks.some((t) => t.id === task.id)) problems.push(`$.tasks[${i}]: duplicate task id '${task.id}'; give one of them an "id"`);
    tasks.push(task);
  });

  const optimizers: PlannedOptimizer[] = [];
  suite.optimizers.forEach((entry, i) => {
    const at = `$.optimizers[${i}]`;
    unknownKeys(entry, ALLOWED_KEYS.optimizer, at, problems);
    if (optimizers.some((o) => o.name === entry.name)) problems.push(`${at}.name: duplicate optimizer name '${entry.name}'`);
    if ((entry.rule === undefined) === (entry.learned === undefined)) {
      problems.push(`${at}: give exactly one of 'rule' (a hand-designed rule) or 'learned' (a learned optimizer)`);
      return;
    }
    if (entry.learned !== undefined && entry.grid !== undefined) problems.push(`${at}.grid: a learned optimizer has no grid to tune`);
    const planned = entry.learned !== undefined ? resolveLearned(entry.learned, `${at}.learned`, suiteDir, problems) : resolveRule(entry, at, problems);
    if (entry.tasks !== undefined) {
      const unknown = entry.tasks.filter((id) => !tasks.some((task) => task.id === id));
      if (unknown.length > 0) problems.push(`${at}.tasks: no task has the id '${unknown[0]}'; the suite's task ids are ${tasks.map((t) => t.id).join(', ')}`);
      if (entry.tasks.length === 0) problems.push(`${at}.tasks: an empty list runs this optimizer nowhere; leave 'tasks' out to run it on every task`);
    }
    if (planned !== undefined) optimizers.push({ ...planned, name: entry.name, ...(entry.tasks === undefined ? {} : { tasks: entry.tasks }) });
  });

  if (tasks.length === 0 && suite.tasks.length === 0) problems.push('$.tasks: expected at least one task');
  if (suite.optimizers.length === 0) problems.push('$.optimizers: expected at least one optimizer');
  if ((suite.targetAccuracy === undefined) !== (suite.evaluateEvery === undefined)) {
    problems.push(`$.${suite.targetAccuracy === undefined ? 'targetAccuracy' : 'evaluateEvery'}: give 'evaluateEvery' and 'targetAccuracy' together (how often to check, and the accuracy to reach)`);
  }
  if (suite.targetAccuracy !== undefined && !(suite.targetAccuracy > 0 && suite.targetAccuracy <= 1)) problems.push(`$.targetAccuracy: expected a fraction in (0, 1], got ${suite.targetAccuracy}`);
  if (problems.length > 0) throw new SuiteError(file, problems);
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
    raw,
  };
}

export async function readSuite(file: string): Promise<Suite> {
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
  return decodeSuite(raw, file);
}
