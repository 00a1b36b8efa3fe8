/** Tasks from suite entries: the kind's registered codec decodes the options, then the kind makes the task. */
import { decodeOrThrow } from '../codec/decode.js';
import './builtin.js';
import { taskKind, taskKinds, type TaskCommon } from './kinds.js';
import type { Task } from './types.js';

export interface TaskSpec {
  /** The task kind: a landscape id, `randomQuadratic`, … (`taskKinds()`). */
  task: string;
  /** A name for this entry (defaults to the kind's own id). */
  id?: string;
  /** The kind's options, decoded by its codec. */
  options?: Record<string, unknown>;
  gradientNoise?: number;
  /** Replaces the task's own loss threshold (what `stepsToThreshold` counts to). */
  threshold?: number;
}

/** Where the tasks that read datasets look first (`--data-dir`); otherwise $ALPHAOPT_DATA, then the user cache. */
export interface TaskContext {
  dataDir?: string;
}

/** The spec each task was made from, so another process (a pool worker) can make the same task. */
const SPECS = new WeakMap<Task, { spec: TaskSpec; context: TaskContext }>();

export function taskSpecOf(task: Task): { spec: TaskSpec; context: TaskContext } | undefined {
  return SPECS.get(task);
}

/** A task from its spec; `path` (where the spec sits in its file) starts every error message. */
export function taskFromSpec(spec: TaskSpec, path = 'task', context: TaskContext = {}): Task {
  const kind = taskKind(spec.task);
  if (kind === undefined) throw new Error(`${path}.task: unknown task '${spec.task}'; known tasks: ${taskKinds().join(', ')}`);
  if (spec.threshold !== undefined && !Number.isFinite(spec.threshold)) throw new Error(`${path}.threshold: expected a finite number, got ${JSON.stringify(spec.threshold)}`);
  const options = decodeOrThrow(kind.options, spec.options ?? {}, `${path}.options`);
  const common: TaskCommon = { id: spec.id, gradientNoise: spec.gradientNoise, dataDir: context.dataDir };
  const made = kind.create(options, common);
  // A view of the task with another threshold; its methods still see the original as `this`.
  const task = spec.threshold === undefined ? made : (Object.create(made, { threshold: { value: spec.threshold, enumerable: true } }) as Task);
  SPECS.set(task, { spec, context });
  return task;
}
