/** The DQN controller's construction options (hyperParams): validated, unknown keys refused, each error naming its field. */
import * as t from 'io-ts';
import { decodeWithDefaults, requirePositiveIntegers } from '../../meta/decodeConfig.js';
import { ruleFromSpec, type RuleSpec } from '../../rules/index.js';
import { baseRuleSpec } from '../controllerRows.js';

export { baseRuleSpec };
import type { JsonValue } from '../types.js';

// A type alias, not an interface: decodeWithDefaults needs it assignable to Record<string, unknown>.
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

const Options = t.exact(
  t.partial({
    initialLearningRate: t.number,
    lrMin: t.number,
    lrMax: t.number,
    actions: t.array(t.number),
    hidden: t.array(t.number),
    window: t.number,
    horizon: t.number,
    baseRule: t.union([t.string, t.type({ rule: t.string, options: t.record(t.string, t.unknown) })]),
    seed: t.number,
  }),
);

export const OPTIONS_PATH = 'dqn-controller';


export function decodeDqnOptions(input: Record<string, JsonValue>, path = OPTIONS_PATH): DqnOptions {
  const o = decodeWithDefaults(Options, DQN_OPTION_DEFAULTS, input, path);
  requirePositiveIntegers(o, ['horizon'], path);
  if (!Number.isInteger(o.window) || o.window < 4) throw new Error(`${path}.window: expected an integer ≥ 4, got ${JSON.stringify(o.window)}`);
  if (!(o.lrMin > 0)) throw new Error(`${path}.lrMin: expected a positive number, got ${o.lrMin}`);
  if (!(o.lrMax > o.lrMin)) throw new Error(`${path}.lrMax: expected a number above lrMin (${o.lrMin}), got ${o.lrMax}`);
  if (!(o.initialLearningRate >= o.lrMin && o.initialLearningRate <= o.lrMax)) {
    throw new Error(`${path}.initialLearningRate: expected a number in [lrMin, lrMax] = [${o.lrMin}, ${o.lrMax}], got ${o.initialLearningRate}`);
  }
  if (o.actions.length < 2 || o.actions.some((a) => !(a > 0) || !Number.isFinite(a))) {
    throw new Error(`${path}.actions: expected at least two positive learning-rate factors, e.g. [0.9, 1, 1.111]; got ${JSON.stringify(o.actions)}`);
  }
  if (o.hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new Error(`${path}.hidden: expected a list of positive integers, e.g. [32, 32]; got ${JSON.stringify(o.hidden)}`);
  if (!Number.isFinite(o.seed)) throw new Error(`${path}.seed: expected a number, got ${o.seed}`);
  ruleFromSpec(baseRuleSpec(o.baseRule), `${path}.baseRule`);
  return o;
}
