/**
 * Every rule's options, declared once: their kinds, which are required, and the range of
 * a plain number. Rule constructors check what they are given against this table (plain
 * JavaScript gets no help from the types: `rules.adam({ lr: 0.5 })` or `learningRate: "0.1"`
 * must throw, not fall back to a default), and the rule registry derives its JSON codecs
 * from it (suite files and optimizer configs).
 */
import tf from '#tfjs';
import { isSchedule } from './schedules.js';

/**
 * - stepSize: a number, a scalar (or row-broadcastable) tensor, or a schedule;
 * - hyper: a number or a tensor;
 * - number / boolean: plain values;
 * - rules: an array of rules (`chain`).
 */
export type OptionKind = 'stepSize' | 'hyper' | 'number' | 'boolean' | 'rules';

export interface OptionRule {
  kind: OptionKind;
  /** Inclusive lower bound of a plain number. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Exclusive upper bound. */
  below?: number;
}

export interface RuleOptions {
  options: Record<string, OptionRule>;
  /** Options that must be given. */
  required?: string[];
}

const learningRate: OptionRule = { kind: 'stepSize', min: 0 };
const epsilon: OptionRule = { kind: 'hyper', min: 0 };
const beta: OptionRule = { kind: 'hyper', min: 0, below: 1 };
const fraction: OptionRule = { kind: 'hyper', min: 0, max: 1 };
const nonNegative: OptionRule = { kind: 'hyper', min: 0 };
const bool: OptionRule = { kind: 'boolean' };
const any: OptionRule = { kind: 'stepSize' };
const adam = { learningRate, beta1: beta, beta2: beta, epsilon };

export const RULE_OPTIONS: Record<string, RuleOptions> = {
  sgd: { options: { learningRate } },
  momentum: { options: { learningRate, momentum: nonNegative } },
  nesterov: { options: { learningRate, momentum: nonNegative } },
  adagrad: { options: { learningRate, initialAccumulatorValue: { kind: 'number', min: 0 }, epsilon } },
  rmsprop: { options: { learningRate, decay: fraction, momentum: nonNegative, epsilon, centered: bool } },
  adadelta: { options: { learningRate, rho: fraction, epsilon } },
  adam: { options: adam },
  adamax: { options: adam },
  amsgrad: { options: adam },
  adamw: { options: { ...adam, weightDecay: nonNegative } },
  family7: { options: { learningRate, a1: any, a2: any, a3: any, b1: any, b2: any, b3: any, p0: { kind: 'number', min: 0 }, q0: { kind: 'number' } } },
  trace: { options: { decay: nonNegative, nesterov: bool }, required: ['decay'] },
  scaleByAdagrad: { options: { initialAccumulatorValue: { kind: 'number', min: 0 }, epsilon } },
  scaleByRms: { options: { decay: fraction, epsilon, centered: bool } },
  scaleByAdadelta: { options: { rho: fraction, epsilon } },
  scaleByAdam: { options: { beta1: beta, beta2: beta, epsilon, biasCorrection: bool, amsgrad: bool } },
  scaleByAdamax: { options: { beta1: beta, beta2: beta, epsilon } },
  scale: { options: { factor: any }, required: ['factor'] },
  scaleByLearningRate: { options: { learningRate }, required: ['learningRate'] },
  addDecayedWeights: { options: { weightDecay: nonNegative }, required: ['weightDecay'] },
  clipByGlobalNorm: { options: { maxNorm: { kind: 'number', above: 0 } }, required: ['maxNorm'] },
  clipByValue: { options: { min: { kind: 'number' }, max: { kind: 'number' }, maxAbs: { kind: 'number', min: 0 } } },
  chain: { options: { rules: { kind: 'rules' } }, required: ['rules'] },
};

/** A bad option: `option` names it (undefined when the options object itself is wrong). */
export class RuleOptionError extends Error {
  constructor(
    readonly rule: string,
    readonly option: string | undefined,
    readonly reason: string,
  ) {
    super(`rules.${rule}: ${option === undefined ? '' : `option '${option}' `}${reason}`);
    this.name = 'RuleOptionError';
  }
}

const KIND_TEXT: Record<OptionKind, string> = {
  stepSize: 'a number, a tensor or a schedule',
  hyper: 'a number or a tensor',
  number: 'a number',
  boolean: 'true or false',
  rules: 'an array of rules',
};

function describe(value: unknown): string {
  if (value instanceof tf.Tensor) return `a tensor of shape [${value.shape}]`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return `${JSON.stringify(value)} (a string)`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return 'an object';
}

function kindMatches(kind: OptionKind, value: unknown): boolean {
  switch (kind) {
    case 'stepSize':
      return typeof value === 'number' || value instanceof tf.Tensor || isSchedule(value);
    case 'hyper':
      return typeof value === 'number' || value instanceof tf.Tensor;
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'rules':
      return Array.isArray(value);
  }
}

/** Throws a RuleOptionError unless `value` suits `rule`'s option `name`. Tensors and schedules are not range-checked. */
export function checkOption(rule: string, name: string, value: unknown): void {
  const spec = RULE_OPTIONS[rule]?.options[name];
  if (spec === undefined) throw new Error(`checkOption: '${rule}' has no option '${name}'`);
  if (!kindMatches(spec.kind, value)) throw new RuleOptionError(rule, name, `must be ${KIND_TEXT[spec.kind]}, got ${describe(value)}`);
  if (typeof value !== 'number') return;
  if (!Number.isFinite(value)) throw new RuleOptionError(rule, name, `must be a finite number, got ${value}`);
  if (spec.min !== undefined && value < spec.min) throw new RuleOptionError(rule, name, `must be ≥ ${spec.min}, got ${value}`);
  if (spec.above !== undefined && value <= spec.above) throw new RuleOptionError(rule, name, `must be > ${spec.above}, got ${value}`);
  if (spec.max !== undefined && value > spec.max) throw new RuleOptionError(rule, name, `must be ≤ ${spec.max}, got ${value}`);
  if (spec.below !== undefined && value >= spec.below) throw new RuleOptionError(rule, name, `must be < ${spec.below}, got ${value}`);
}

/**
 * Checks a rule's options object: an object (not a bare number — `rules.sgd(0.1)` is refused
 * with the form to use), no unknown keys, each value of the right kind and range. An option
 * given as `undefined` counts as absent.
 */
export function checkRuleOptions(rule: string, options: unknown): void {
  const table = RULE_OPTIONS[rule];
  if (table === undefined) throw new Error(`checkRuleOptions: unknown rule '${rule}'`);
  const names = Object.keys(table.options);
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options) || options instanceof tf.Tensor) {
    const example = names.includes('learningRate') ? `rules.${rule}({ learningRate: ${typeof options === 'number' ? options : 0.01} })` : `rules.${rule}({ ${names[0]}: … })`;
    throw new RuleOptionError(rule, undefined, `expected an options object such as ${example}, got ${describe(options)}`);
  }
  for (const [name, value] of Object.entries(options)) {
    if (!names.includes(name)) throw new RuleOptionError(rule, name, `is unknown; expected one of ${names.join(', ')}`);
    if (value !== undefined) checkOption(rule, name, value);
  }
  for (const name of table.required ?? []) {
    if ((options as Record<string, unknown>)[name] === undefined) throw new RuleOptionError(rule, name, 'is required');
  }
}
