/**
 * The one decoder every registry uses (src/codec/): strict objects refuse unknown keys among the other errors,
 * options fill in their defaults, checks across fields and nested decoders report at their own paths, and every
 * problem comes at once.
 */
import test from 'ava';
import * as io from 'io-ts';
import { decodeOrThrow, nestedProblems, options, OptionsError, strict, values } from '../src/codec/index.js';
import { decodeSuite } from '../src/suite/decode.js';
import { SuiteError } from '../src/suite/errors.js';
import { ruleFromSpec, RuleSpecError } from '../src/rules/registry.js';

const Point = options('point options', { size: values.positiveInt, scale: values.positive, tags: io.array(io.string) }, { size: 2, scale: 1, tags: ['a'] }, {
  check: (o) => (o.size > 10 && o.scale > 1 ? [{ key: 'scale', message: 'must be 1 when size > 10' }] : []),
});

test('options: defaults filled in, fresh for every decode', (t) => {
  const a = decodeOrThrow(Point, {}, 'p');
  t.deepEqual(a, { size: 2, scale: 1, tags: ['a'] });
  a.tags.push('b');
  t.deepEqual(decodeOrThrow(Point, { scale: 3 }, 'p'), { size: 2, scale: 3, tags: ['a'] }, 'a decoded default is not shared');
  t.deepEqual(decodeOrThrow(Point, { size: undefined }, 'p').size, 2, 'undefined counts as absent');
});

test('every problem at once, each at its path: unknown keys beside wrong values and wrong list elements', (t) => {
  const error = t.throws(() => decodeOrThrow(Point, { size: 0, sise: 3, tags: ['x', 4] }, '$.tasks[0].options'), { instanceOf: OptionsError });
  t.deepEqual(error!.problems, [
    '$.tasks[0].options.sise: unknown option; expected one of size, scale, tags',
    '$.tasks[0].options.size: expected a positive integer, got 0',
    '$.tasks[0].options.tags[1]: expected string, got 4',
  ]);
  t.is(error!.message, error!.problems.join('; '));
  t.throws(() => decodeOrThrow(Point, 3, 'p'), { message: 'p: expected point options, got 3' });
});

test('checks across fields run once the fields decode, and report at their key', (t) => {
  t.throws(() => decodeOrThrow(Point, { size: 11, scale: 2 }, 'p'), { message: 'p.scale: must be 1 when size > 10' });
});

test('strict: required keys reported missing; keys are readable, so nothing else lists them again', (t) => {
  const Entry = strict('Entry', { task: io.string }, { id: io.string });
  t.deepEqual(Entry.keys, ['task', 'id']);
  t.throws(() => decodeOrThrow(Entry, { idd: 'x' }, '$'), { message: '$.idd: unknown key; expected one of task, id; $.task: missing; expected string' });
});

test('nestedProblems places a nested decoder’s problems below its key', (t) => {
  const problems = nestedProblems('maml.config', (path) => decodeOrThrow(Point, { size: -1 }, path));
  t.deepEqual(problems, [{ key: 'maml.config.size', message: 'expected a positive integer, got -1' }]);
});

test('a suite reports every problem of one task’s options and one rule’s options, each at its JSON path', (t) => {
  const suite = {
    name: 's',
    steps: 5,
    seeds: 1,
    tasks: [{ task: 'randomQuadratic', options: { dimension: 0, dimensoin: 3 } }],
    optimizers: [{ name: 'adam', rule: { rule: 'adam', options: { lr: 0.1, beta1: 'x' } } }],
  };
  const error = t.throws(() => decodeSuite(suite, 's.json'), { instanceOf: SuiteError })!;
  t.deepEqual(error.problems, [
    "$.tasks[0].options.dimensoin: unknown option; expected one of dimension",
    '$.tasks[0].options.dimension: expected a positive integer, got 0',
    "$.optimizers[0].rule.options.lr: unknown option for rule 'adam'; expected one of learningRate, beta1, beta2, epsilon",
    '$.optimizers[0].rule.options.beta1: expected a number, got "x"',
  ]);
  t.throws(() => ruleFromSpec({ rule: 'trace', options: {} }), { instanceOf: RuleSpecError, message: 'rule.options.decay: missing; expected a number' });
});
