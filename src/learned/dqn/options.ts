/** The DQN controller's construction options (hyperParams): validated, unknown keys refused, each error naming its field. */
import t from '#cjs/io-ts';
import { decodeOrThrow } from '../../codec/decode.js';
import { options } from '../../codec/strict.js';
import * as values from '../../codec/values.js';
import type { RuleSpec } from '../../rules/index.js';
import { BaseRule, baseRuleProblems } from '../baseRule.js';
import { baseRuleSpec } from '../controllerRows.js';

export { baseRuleSpec };

export type DqnOptions = {
  /**
   * η₀, the learning rate every run starts from. 0.01: tfjs's SGD default, inside
   * [lrMin, lrMax] with room both ways (two decades up to lrMax take ~37 raising actions).
   */
  initialLearningRate: number;
  /** Leaving [lrMin, lrMax] ends a training episode (reward priority 1); at deployment the rate is clipped into it. */
  lrMin: number;
  lrMax: number;
  /** The learning-rate multipliers, one per action (Zhu et al.: 0.9, 1, 1/0.9). */
  actions: number[];
  /** Hidden layer sizes of the Q-network. */
  hidden: number[];
  /** W: the loss window of the features and of the reward (20). */
  window: number;
  /** T: optimizee steps per training episode, and the denominator of the progress feature t / T. */
  horizon: number;
  /** The rule the controller sets the learning rate of: any spec `ruleFromSpec` accepts ('sgd', 'adam', {rule, options}). */
  baseRule: string | RuleSpec;
  /** Initialisation of the Q-network. */
  seed: number;
};

export const DQN_OPTION_DEFAULTS: DqnOptions = {
  initialLearningRate: 0.01,
  lrMin: 0.001,
  lrMax: 0.5,
  actions: [0.9, 1, 1 / 0.9],
  hidden: [32, 32],
  window: 20,
  horizon: 250,
  baseRule: 'sgd',
  seed: 0,
};

/** The options' types and ranges (defaults above); checks across fields follow decoding. */
export const DQN_OPTIONS: t.Decoder<unknown, DqnOptions> = options(
  'dqn-controller options',
  {
    initialLearningRate: values.positive,
    lrMin: values.positive,
    lrMax: values.positive,
    actions: t.array(values.positive, 'a list of positive learning-rate factors, e.g. [0.9, 1, 1.111]'),
    hidden: values.positiveInts,
    window: values.intAtLeast(4),
    horizon: values.positiveInt,
    baseRule: BaseRule,
    seed: values.finite,
  },
  DQN_OPTION_DEFAULTS,
  {
    check: (o) => [
      ...(o.lrMax > o.lrMin ? [] : [{ key: 'lrMax', message: `expected a number above lrMin (${o.lrMin}), got ${o.lrMax}` }]),
      ...(o.initialLearningRate >= o.lrMin && o.initialLearningRate <= o.lrMax ? [] : [{ key: 'initialLearningRate', message: `expected a number in [lrMin, lrMax] = [${o.lrMin}, ${o.lrMax}], got ${o.initialLearningRate}` }]),
      ...(o.actions.length >= 2 ? [] : [{ key: 'actions', message: `expected at least two positive learning-rate factors, e.g. [0.9, 1, 1.111]; got ${JSON.stringify(o.actions)}` }]),
      ...baseRuleProblems(o.baseRule),
    ],
  },
);

export const OPTIONS_PATH = 'dqn-controller';

export function decodeDqnOptions(input: unknown, path = OPTIONS_PATH): DqnOptions {
  return decodeOrThrow(DQN_OPTIONS, input, path);
}
