/** Tasks by name, for suite files. */
import { LANDSCAPES, landscapeTask } from './landscapes.js';
import { mnistMlpTask } from './mnistMlp.js';
import { randomQuadraticTask } from './randomQuadratic.js';
import type { Task } from './types.js';

export interface TaskSpec {
  /** The task kind: a landscape id or `randomQuadratic`. */
  task: string;
  /** A name for this entry (defaults to the kind's own id). */
  id?: string;
  options?: { dimension?: number; dataset?: string; hidden?: number[]; activation?: string; batchSize?: number };
  gradientNoise?: number;
}

export const TASK_KINDS = [...LANDSCAPES.map((l) => l.id), 'randomQuadratic', 'mnistMlp'];

export function taskFromSpec(spec: TaskSpec, path = 'task'): Task {
  const extra = { ...(spec.id === undefined ? {} : { id: spec.id }), ...(spec.gradientNoise === undefined ? {} : { gradientNoise: spec.gradientNoise }) };
  if (spec.task === 'randomQuadratic') {
    const dimension = spec.options?.dimension ?? 10;
    if (!Number.isInteger(dimension) || dimension < 1) throw new Error(`${path}.options.dimension: expected a positive integer, got ${JSON.stringify(dimension)}`);
    return randomQuadraticTask({ dimension, ...extra });
  }
  if (spec.task === 'mnistMlp') {
    const o = spec.options ?? {};
    const unknown = Object.keys(o).filter((k) => !['dataset', 'hidden', 'activation', 'batchSize'].includes(k));
    if (unknown.length > 0) throw new Error(`${path}.options.${unknown[0]}: unknown option for mnistMlp; expected dataset, hidden, activation, batchSize`);
    if (o.activation !== undefined && o.activation !== 'sigmoid' && o.activation !== 'relu') throw new Error(`${path}.options.activation: expected 'sigmoid' or 'relu', got ${JSON.stringify(o.activation)}`);
    if (o.hidden !== undefined && (!Array.isArray(o.hidden) || o.hidden.some((h) => !Number.isInteger(h) || h < 1))) throw new Error(`${path}.options.hidden: expected a list of positive integers`);
    return mnistMlpTask({
      ...extra,
      ...(o.dataset === undefined ? {} : { dataset: o.dataset }),
      ...(o.hidden === undefined ? {} : { hidden: o.hidden }),
      ...(o.activation === undefined ? {} : { activation: o.activation as 'sigmoid' | 'relu' }),
      ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }),
    });
  }
  const landscape = LANDSCAPES.find((l) => l.id === spec.task);
  if (landscape === undefined) throw new Error(`${path}.task: unknown task '${spec.task}'; known tasks: ${TASK_KINDS.join(', ')}`);
  if (spec.options !== undefined && Object.keys(spec.options).length > 0) {
    throw new Error(`${path}.options: the landscape '${spec.task}' takes no options`);
  }
  return landscapeTask(landscape, extra);
}
