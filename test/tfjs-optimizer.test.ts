/**
 * toTfjsOptimizer: drop-in tfjs optimizers for model.fit and minimize, with
 * state that saves, restores and serialises, and no tensor leaks.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { RuleOptimizer, rules, setupBackend, toTfjsOptimizer } from '../src/index.js';
import { quadraticLoss } from './helpers/quadratic.js';
import { seededValues } from './helpers/compare.js';

test.before(async () => {
  await setupBackend('cpu');
});

const ALL: Array<[string, () => rules.UpdateRule]> = [
  ['sgd', () => rules.sgd({ learningRate: 0.1 })],
  ['momentum', () => rules.momentum({ learningRate: 0.05 })],
  ['nesterov', () => rules.nesterov({ learningRate: 0.05 })],
  ['adagrad', () => rules.adagrad({ learningRate: 0.1 })],
  ['rmsprop', () => rules.rmsprop({ learningRate: 0.01 })],
  ['rmsprop centered', () => rules.rmsprop({ learningRate: 0.01, centered: true })],
  ['adadelta', () => rules.adadelta({ learningRate: 1 })],
  ['adam', () => rules.adam({ learningRate: 0.01 })],
  ['adamax', () => rules.adamax({ learningRate: 0.01 })],
  ['amsgrad', () => rules.amsgrad({ learningRate: 0.01 })],
  ['adamw', () => rules.adamw({ learningRate: 0.01 })],
  ['family7', () => rules.family7({ learningRate: 0.01 })],
  ['sgdr-scheduled, clipped momentum', () => rules.chain(rules.clipByGlobalNorm(5), rules.momentum({ learningRate: rules.sgdr({ etaMax: 0.05, t0: 10, tMult: 2 }) }))],
];

/** Two Gaussian blobs in 4-D, labels one-hot; deterministic. */
function blobs(n: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const noise = seededValues(n * 4, 42);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    for (let d = 0; d < 4; d++) xs.push((label === 0 ? -1 : 1) * (d % 2 === 0 ? 1 : 0.5) + 0.8 * noise[i * 4 + d]!);
    ys.push(label === 0 ? 1 : 0, label === 0 ? 0 : 1);
  }
  return { x: tf.tensor2d(xs, [n, 4]), y: tf.tensor2d(ys, [n, 2]) };
}

function classifier(seed: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 8, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

for (const [name, make] of ALL) {
  test(`model.fit with ${name} lowers the loss`, async (t) => {
    const { x, y } = blobs(64);
    const model = classifier(3);
    model.compile({ optimizer: toTfjsOptimizer(make()), loss: 'categoricalCrossentropy' });
    const history = await model.fit(x, y, { epochs: 15, batchSize: 16, shuffle: false, verbose: 0 });
    const losses = history.history['loss'] as number[];
    t.true(losses[losses.length - 1]! < 0.8 * losses[0]!, `loss ${losses[0]} → ${losses[losses.length - 1]}`);
    model.optimizer.dispose();
    model.dispose();
    tf.dispose([x, y]);
  });
}

for (const [name, make] of ALL) {
  test.serial(`${name}: no tensor leaks over 500 minimize steps`, (t) => {
    const theta = tf.variable(tf.tensor1d([1, 0.8]));
    const optimizer = toTfjsOptimizer(make());
    optimizer.minimize(() => quadraticLoss(theta), false, [theta]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 500; i++) optimizer.minimize(() => quadraticLoss(theta), false, [theta]);
    t.is(tf.memory().numTensors, before);
    optimizer.dispose();
    theta.dispose();
  });
}

test('a saved-and-restored optimizer (config + weights) continues identically', async (t) => {
  for (const [name, make] of ALL) {
    const { x, y } = blobs(32);
    const original = classifier(7);
    const optimizer = toTfjsOptimizer(make());
    original.compile({ optimizer, loss: 'categoricalCrossentropy' });
    await original.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });

    // Restore: the optimizer from its config (through tfjs's class registry) and weights, the model from its weights.
    const config = optimizer.getConfig();
    const restoredOptimizer = tf.serialization.SerializationMap.getMap().classNameMap[RuleOptimizer.className]![1](RuleOptimizer, config) as RuleOptimizer;
    await restoredOptimizer.setWeights(await optimizer.getWeights());
    const copy = classifier(99);
    copy.setWeights(original.getWeights());
    copy.compile({ optimizer: restoredOptimizer, loss: 'categoricalCrossentropy' });

    await original.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
    await copy.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
    const a = await Promise.all(original.getWeights().map((w) => w.data()));
    const b = await Promise.all(copy.getWeights().map((w) => w.data()));
    t.deepEqual(b, a, `${name} diverged after restore`);
    t.is(restoredOptimizer.iterations, optimizer.iterations);
    optimizer.dispose();
    restoredOptimizer.dispose();
    original.dispose();
    copy.dispose();
    tf.dispose([x, y]);
  }
});

test('a model saved with its optimizer loads it back through tf.serialization', async (t) => {
  const { x, y } = blobs(32);
  const model = classifier(5);
  model.compile({ optimizer: toTfjsOptimizer(rules.adam({ learningRate: 0.02, beta1: 0.8 })), loss: 'categoricalCrossentropy' });
  await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }), { includeOptimizer: true });
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
  t.true(loaded.optimizer instanceof RuleOptimizer);
  t.deepEqual((loaded.optimizer as RuleOptimizer).rule.spec, { rule: 'adam', options: { learningRate: 0.02, beta1: 0.8, beta2: 0.999, epsilon: 1e-7 } });
  model.dispose();
  loaded.dispose();
  tf.dispose([x, y]);
});

test('minimize passes the loss to the rule', async (t) => {
  const seen: number[] = [];
  const inner = rules.sgd({ learningRate: 0.1 });
  const spy: rules.UpdateRule = {
    init: inner.init,
    update(input, state) {
      if (input.loss !== undefined) seen.push(input.loss.dataSync()[0]!);
      return inner.update(input, state);
    },
  };
  const theta = tf.variable(tf.tensor1d([1, 0.8]));
  const optimizer = toTfjsOptimizer(spy);
  const cost = optimizer.minimize(() => quadraticLoss(theta), true, [theta])!;
  t.is(seen.length, 1);
  t.is(seen[0], (await cost.data())[0]);
  tf.dispose([cost, theta]);
  optimizer.dispose();
});

test('one optimizer serves one variable list; another list is refused with the fix', (t) => {
  const a = tf.variable(tf.tensor1d([1, 2]));
  const b = tf.variable(tf.tensor1d([3]));
  const optimizer = toTfjsOptimizer(rules.adam());
  optimizer.minimize(() => tf.sum(tf.square(a)), false, [a]);
  const error = t.throws(() => optimizer.minimize(() => tf.sum(tf.square(b)), false, [b]));
  t.regex(error!.message, /create one optimizer per variable list/);
  optimizer.dispose();
  tf.dispose([a, b]);
});

test('a rule with a tensor hyper-parameter runs but says why it cannot be serialised', (t) => {
  const lr = tf.scalar(0.1);
  const optimizer = toTfjsOptimizer(rules.sgd({ learningRate: lr }));
  const error = t.throws(() => optimizer.getConfig());
  t.regex(error!.message, /a hyper-parameter given as a tensor/);
  optimizer.dispose();
  lr.dispose();
});

test('rule specs round-trip, and malformed ones are rejected with the path', (t) => {
  const rule = rules.chain(rules.clipByGlobalNorm(1), rules.adamw({ learningRate: rules.linearWarmup({ warmupSteps: 5, then: rules.cosineDecay({ initial: 0.1, decaySteps: 100 }) }) }));
  t.deepEqual(rules.ruleFromSpec(rule.spec).spec, rule.spec);
  t.throws(() => rules.ruleFromSpec({ rule: 'adam', options: { learningRate: 'fast' } }), { message: /rule.options.learningRate: expected a number or a schedule, got "fast"/ });
  t.throws(() => rules.ruleFromSpec({ rule: 'adam', options: { lr: 0.1 } }), { message: /rule.options.lr: unknown option for rule 'adam'; expected one of learningRate, beta1/ });
  t.throws(() => rules.ruleFromSpec({ rule: 'chain', options: { rules: [{ rule: 'sgd', options: { learningRate: { schedule: 'nope' } } }] } }), { message: /rule.options.rules\/0.options.learningRate: unknown schedule 'nope'/ });
  t.throws(() => rules.ruleFromSpec({ rule: 'adamm', options: {} }), { message: /rule.rule: unknown rule 'adamm'; known rules: sgd/ });
});
