/**
 * Rule options are checked when a rule is built, in plain JavaScript too: one battery over every
 * registered rule — a bare number instead of options, an unknown key, a value of the wrong type,
 * a number out of range — each throws naming the rule and the option; valid options still build.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { rules, setupBackend } from '../src/index.js';

test.before(async () => {
  await setupBackend('cpu');
});

/** Rules whose single argument is the option itself (`rules.scale(0.5)`), not an options object. */
const POSITIONAL: Record<string, string> = { scale: 'factor', scaleByLearningRate: 'learningRate', addDecayedWeights: 'weightDecay', clipByGlobalNorm: 'maxNorm' };

type Builder = (...args: unknown[]) => rules.UpdateRule;
const builder = (name: string) => (rules as unknown as Record<string, Builder>)[name]!;

function validValue(spec: rules.OptionRule): unknown {
  if (spec.kind === 'boolean') return true;
  if (spec.kind === 'rules') return [rules.sgd()];
  return 0.5; // inside every range in the table
}

/** The smallest valid options of a rule: its required options (clipByValue: one of its two forms). */
function baseOptions(name: string): Record<string, unknown> {
  if (name === 'clipByValue') return { maxAbs: 1 };
  const table = rules.RULE_OPTIONS[name]!;
  return Object.fromEntries((table.required ?? []).map((key) => [key, validValue(table.options[key]!)]));
}

function build(name: string, options: Record<string, unknown>): rules.UpdateRule {
  const positional = POSITIONAL[name];
  if (positional !== undefined) return builder(name)(options[positional]);
  if (name === 'chain') return builder(name)(...(options['rules'] as unknown[]));
  return builder(name)(options);
}

test('the table covers every registered rule and nothing else', (t) => {
  t.deepEqual(Object.keys(rules.RULE_OPTIONS).sort(), [...rules.RULE_NAMES].sort());
});

for (const name of rules.RULE_NAMES) {
  const table = rules.RULE_OPTIONS[name]!;
  test(`${name}: valid options build; wrong types and out-of-range numbers throw naming the option`, (t) => {
    t.notThrows(() => build(name, baseOptions(name)));
    for (const [option, spec] of Object.entries(table.options)) {
      if (name === 'chain') continue; // its option is the argument list itself (checked below)
      const wrong = spec.kind === 'boolean' ? 'true' : '0.1';
      const error = t.throws(() => build(name, { ...baseOptions(name), [option]: wrong }), { instanceOf: rules.RuleOptionError }, `${name}.${option} = "${wrong}"`);
      t.is(error?.message, `rules.${name}: option '${option}' must be ${spec.kind === 'boolean' ? 'true or false' : spec.kind === 'stepSize' ? 'a number, a tensor or a schedule' : spec.kind === 'hyper' ? 'a number or a tensor' : 'a number'}, got "${wrong}" (a string)`);
      if (spec.kind === 'boolean') continue;
      t.throws(() => build(name, { ...baseOptions(name), [option]: Number.NaN }), { message: new RegExp(`^rules\\.${name}: option '${option}' must be a finite number, got NaN`) });
      const low = spec.min ?? spec.above;
      if (low !== undefined) {
        const bad = low - 0.5;
        t.throws(() => build(name, { ...baseOptions(name), [option]: bad }), { message: new RegExp(`^rules\\.${name}: option '${option}' must be [≥>] ${low}, got ${bad}`) });
      }
      const high = spec.max ?? spec.below;
      if (high !== undefined) {
        t.throws(() => build(name, { ...baseOptions(name), [option]: high + 0.5 }), { message: new RegExp(`^rules\\.${name}: option '${option}' must be [≤<] ${high}`) });
      }
    }
    if (POSITIONAL[name] === undefined && name !== 'chain') {
      // An unknown key (a typo, or another library's name for an option) is refused with the known ones.
      t.throws(() => builder(name)({ ...baseOptions(name), lr: 0.5 }), { message: new RegExp(`^rules\\.${name}: option 'lr' is unknown; expected one of ${Object.keys(table.options).join(', ')}`) });
      // A bare number is not an options object.
      t.throws(() => builder(name)(0.1), { message: new RegExp(`^rules\\.${name}: expected an options object such as rules\\.${name}\\(\\{`) });
    }
  });
}

test('the cases of the issue, in plain JavaScript terms', (t) => {
  t.throws(() => builder('sgd')(0.1), { message: 'rules.sgd: expected an options object such as rules.sgd({ learningRate: 0.1 }), got 0.1' });
  t.throws(() => builder('adam')({ lr: 0.5 }), { message: /^rules\.adam: option 'lr' is unknown; expected one of learningRate, beta1, beta2, epsilon$/ });
  t.throws(() => builder('sgd')({ learningRate: '0.1' }), { message: `rules.sgd: option 'learningRate' must be a number, a tensor or a schedule, got "0.1" (a string)` });
  t.throws(() => rules.momentum({ learningRate: -0.01 }), { message: "rules.momentum: option 'learningRate' must be ≥ 0, got -0.01" });
  // Tensors and schedules stay accepted (hyper-gradients, controllers, schedules).
  const lr = tf.scalar(0.1);
  t.notThrows(() => rules.adam({ learningRate: lr, beta1: tf.scalar(0.8) }));
  t.notThrows(() => rules.sgd({ learningRate: rules.cosineDecay({ initial: 0.1, decaySteps: 10 }) }));
  t.is(rules.adam({ learningRate: undefined }).spec?.options['learningRate'], 0.001, 'an option given as undefined counts as absent');
  lr.dispose();
  t.throws(() => builder('chain')(rules.sgd(), 0.1), { message: /^rules\.chain: argument 1 is not an update rule/ });
  t.throws(() => rules.clipByValue({ min: 1, max: 0 }), { message: /^rules\.clipByValue: option 'min' \(1\) must not exceed max \(0\)/ });
  t.throws(() => builder('clipByValue')({ min: 1 }), { message: /^rules\.clipByValue: expected \{ maxAbs \} or \{ min, max \}/ });
});

test('a suite or config spec gets the same checks, at its JSON path', (t) => {
  t.throws(() => rules.ruleFromSpec({ rule: 'sgd', options: { learningRate: -1 } }, '$.optimizers[0].rule'), {
    instanceOf: rules.RuleSpecError,
    message: '$.optimizers[0].rule.options.learningRate: must be ≥ 0, got -1',
  });
  t.throws(() => rules.ruleFromSpec({ rule: 'adam', options: { beta1: 1 } }), { message: 'rule.options.beta1: must be < 1, got 1' });
  t.throws(() => rules.ruleFromSpec({ rule: 'clipByValue', options: { min: 2 } }), { message: /^rule\.options: expected \{ maxAbs \} or \{ min, max \}/ });
});
