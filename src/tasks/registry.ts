/** Tasks by name, for suite files. */
import { LANDSCAPES, landscapeTask } from './landscapes.js';
import { mnistMlpTask } from './mnistMlp.js';
import { IMAGE_NETS, imageClassifierTask, netDatasetMismatch, type ImageNet } from './imageClassifier.js';
import { decodeMamlConfig } from '../meta/maml.js';
import { NORMALIZATIONS, type Normalization } from '../data/imageBatch.js';
import { omniglotFewShotTask } from './omniglotFewShot.js';
import { logisticRegressionTask } from './logisticRegression.js';
import { randomQuadraticTask } from './randomQuadratic.js';
import { robustLinearRegressionTask } from './robustLinearRegression.js';
import { twoLayerNetTask } from './twoLayerNet.js';
import type { Task } from './types.js';

export interface TaskSpec {
  /** The task kind: a landscape id or `randomQuadratic`. */
  task: string;
  /** A name for this entry (defaults to the kind's own id). */
  id?: string;
  options?: { dimension?: number; dataset?: string; hidden?: number[]; activation?: string; batchSize?: number; points?: number; classes?: number; ways?: number; shots?: number; queries?: number; filters?: number; net?: string; normalization?: string; augment?: { crop?: number; flip?: boolean }; maml?: { checkpoint: string; config?: Record<string, unknown> } };
  gradientNoise?: number;
  /** Replaces the task's own loss threshold (what `stepsToThreshold` counts to). */
  threshold?: number;
}

const SYNTHETIC_OPTIONS: Record<string, string[]> = {
  logisticRegression: ['dimension', 'points'],
  robustLinearRegression: ['dimension', 'points'],
  twoLayerNet: ['dimension', 'points', 'hidden', 'classes'],
};

export const TASK_KINDS = [...LANDSCAPES.map((l) => l.id), 'randomQuadratic', 'mnistMlp', 'imageClassifier', 'omniglotFewShot', ...Object.keys(SYNTHETIC_OPTIONS)];

/** Li & Malik's synthetic families: option names are checked, sizes must be positive integers. */
function syntheticTask(spec: TaskSpec, path: string, extra: { id?: string; gradientNoise?: number }): Task {
  const allowed = SYNTHETIC_OPTIONS[spec.task]!;
  const o = spec.options ?? {};
  const unknown = Object.keys(o).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new Error(`${path}.options.${unknown[0]}: unknown option for ${spec.task}; expected ${allowed.join(', ')}`);
  for (const key of ['dimension', 'points', 'classes'] as const) {
    const v = o[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new Error(`${path}.options.${key}: expected a positive integer, got ${JSON.stringify(v)}`);
  }
  const sizes = { ...(o.dimension === undefined ? {} : { dimension: o.dimension }), ...(o.points === undefined ? {} : { points: o.points }) };
  if (spec.task === 'logisticRegression') return logisticRegressionTask({ ...sizes, ...extra });
  if (spec.task === 'robustLinearRegression') return robustLinearRegressionTask({ ...sizes, ...extra });
  if (o.hidden !== undefined && (!Array.isArray(o.hidden) || o.hidden.length !== 1 || !Number.isInteger(o.hidden[0]) || o.hidden[0]! < 1)) {
    throw new Error(`${path}.options.hidden: expected one positive integer in a list (one hidden layer), e.g. [2]`);
  }
  return twoLayerNetTask({ ...sizes, ...(o.hidden === undefined ? {} : { hidden: o.hidden[0]! }), ...(o.classes === undefined ? {} : { classes: o.classes }), ...extra });
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

export function taskFromSpec(spec: TaskSpec, path = 'task', context: TaskContext = {}): Task {
  const made = taskOfKind(spec, path, context.dataDir === undefined ? {} : { dataDir: context.dataDir });
  if (spec.threshold !== undefined && !Number.isFinite(spec.threshold)) throw new Error(`${path}.threshold: expected a finite number, got ${JSON.stringify(spec.threshold)}`);
  // A view of the task with another threshold; its methods still see the original as `this`.
  const task = spec.threshold === undefined ? made : (Object.create(made, { threshold: { value: spec.threshold, enumerable: true } }) as Task);
  SPECS.set(task, { spec, context });
  return task;
}

function taskOfKind(spec: TaskSpec, path: string, data: { dataDir?: string }): Task {
  const extra = { ...(spec.id === undefined ? {} : { id: spec.id }), ...(spec.gradientNoise === undefined ? {} : { gradientNoise: spec.gradientNoise }) };
  if (spec.task === 'randomQuadratic') {
    const dimension = spec.options?.dimension ?? 10;
    if (!Number.isInteger(dimension) || dimension < 1) throw new Error(`${path}.options.dimension: expected a positive integer, got ${JSON.stringify(dimension)}`);
    return randomQuadraticTask({ dimension, ...extra });
  }
  if (spec.task in SYNTHETIC_OPTIONS) return syntheticTask(spec, path, extra);
  if (spec.task === 'imageClassifier') {
    const o = spec.options ?? {};
    const unknown = Object.keys(o).filter((k) => !['dataset', 'net', 'batchSize', 'normalization', 'augment'].includes(k));
    if (unknown.length > 0) throw new Error(`${path}.options.${unknown[0]}: unknown option for imageClassifier; expected dataset, net, batchSize, normalization, augment`);
    if (o.normalization !== undefined && !(NORMALIZATIONS as readonly string[]).includes(o.normalization)) {
      throw new Error(`${path}.options.normalization: unknown normalisation '${o.normalization}'; expected one of ${NORMALIZATIONS.join(', ')}`);
    }
    const augment = o.augment ?? {};
    const unknownAugment = Object.keys(augment).filter((k) => k !== 'crop' && k !== 'flip');
    if (unknownAugment.length > 0) throw new Error(`${path}.options.augment.${unknownAugment[0]}: unknown option; expected crop (pixels of padding), flip (true/false)`);
    if (augment.crop !== undefined && (!Number.isInteger(augment.crop) || augment.crop < 0)) throw new Error(`${path}.options.augment.crop: expected a non-negative integer (pixels of padding, 4 for CIFAR), got ${JSON.stringify(augment.crop)}`);
    if (o.net !== undefined && !(IMAGE_NETS as readonly string[]).includes(o.net)) throw new Error(`${path}.options.net: unknown net '${o.net}'; expected one of ${IMAGE_NETS.join(', ')}`);
    const mismatch = o.net === undefined ? undefined : netDatasetMismatch(o.net as ImageNet, o.dataset ?? 'mnist-10k');
    if (mismatch !== undefined) throw new Error(`${path}.options.net: ${mismatch}`);
    return imageClassifierTask({
      ...data,
      ...(o.dataset === undefined ? {} : { dataset: o.dataset }),
      ...(o.net === undefined ? {} : { net: o.net as ImageNet }),
      ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }),
      ...(o.normalization === undefined ? {} : { normalization: o.normalization as Normalization }),
      ...(o.augment === undefined ? {} : { augment: o.augment }),
      ...(extra.id === undefined ? {} : { id: extra.id }),
    });
  }
  if (spec.task === 'omniglotFewShot') {
    const o = spec.options ?? {};
    const allowed = ['ways', 'shots', 'queries', 'filters'] as const;
    const unknown = Object.keys(o).filter((k) => !(allowed as readonly string[]).includes(k) && k !== 'maml');
    if (unknown.length > 0) throw new Error(`${path}.options.${unknown[0]}: unknown option for omniglotFewShot; expected ${allowed.join(', ')}, maml`);
    if (o.maml !== undefined) decodeMamlConfig(o.maml.config ?? {}, `${path}.options.maml.config`);
    for (const key of allowed) {
      const v = o[key];
      if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new Error(`${path}.options.${key}: expected a positive integer, got ${JSON.stringify(v)}`);
    }
    if ((o.shots ?? 1) + (o.queries ?? 0) > 20) throw new Error(`${path}.options: shots + queries must be at most 20 (Omniglot has 20 drawings per character)`);
    return omniglotFewShotTask({
      ...data,
      ...Object.fromEntries(allowed.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])),
      ...(o.maml === undefined ? {} : { maml: o.maml }),
      ...(extra.id === undefined ? {} : { id: extra.id }),
    });
  }
  if (spec.task === 'mnistMlp') {
    const o = spec.options ?? {};
    const unknown = Object.keys(o).filter((k) => !['dataset', 'hidden', 'activation', 'batchSize'].includes(k));
    if (unknown.length > 0) throw new Error(`${path}.options.${unknown[0]}: unknown option for mnistMlp; expected dataset, hidden, activation, batchSize`);
    if (o.activation !== undefined && o.activation !== 'sigmoid' && o.activation !== 'relu') throw new Error(`${path}.options.activation: expected 'sigmoid' or 'relu', got ${JSON.stringify(o.activation)}`);
    if (o.hidden !== undefined && (!Array.isArray(o.hidden) || o.hidden.some((h) => !Number.isInteger(h) || h < 1))) throw new Error(`${path}.options.hidden: expected a list of positive integers`);
    return mnistMlpTask({
      ...extra,
      ...data,
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
