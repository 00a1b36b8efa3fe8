/**
 * Optimizer overhead: one update of a ~100k-parameter MLP (784-128-10) through
 * toTfjsOptimizer(rule) for every rule and for the shipped learned optimizers
 * (frozen), against tf.train.adam — the update alone (fixed gradients) and a
 * whole training step (batch 128).
 *
 *   npm run bench:rules -- [--backend wasm] [--out DIR]
 */
import path from 'node:path';
import b from 'benny';
import type { Summary } from 'benny/lib/internal/common-types.js';
import { tf, rules, toTfjsOptimizer, loadLearnedOptimizer } from '../src/index.js';
import { randomBatch, trainingStep } from '../src/models/index.js';
import { startBench } from './harness.js';

const { writeResult } = await startBench({ name: 'bench:rules', description: 'optimizer overhead: every rule and the shipped learned optimizers against tf.train.adam' });

function mlp(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

const CANDIDATES: Array<[string, () => tf.Optimizer]> = [
  ['tf.train.adam', () => tf.train.adam(1e-3)],
  ['adam', () => toTfjsOptimizer(rules.adam())],
  ['sgd', () => toTfjsOptimizer(rules.sgd())],
  ['momentum', () => toTfjsOptimizer(rules.momentum())],
  ['nesterov', () => toTfjsOptimizer(rules.nesterov())],
  ['adagrad', () => toTfjsOptimizer(rules.adagrad())],
  ['rmsprop', () => toTfjsOptimizer(rules.rmsprop())],
  ['adadelta', () => toTfjsOptimizer(rules.adadelta())],
  ['adamax', () => toTfjsOptimizer(rules.adamax())],
  ['amsgrad', () => toTfjsOptimizer(rules.amsgrad())],
  ['adamw', () => toTfjsOptimizer(rules.adamw())],
  ['family7', () => toTfjsOptimizer(rules.family7())],
];
// The learned optimizers: each coordinate runs the shared network every step.
for (const name of ['policy-logistic', 'lstm-mnist']) {
  // By path from the repository root: the compiled bench lives in dist-bench/, away from pretrained/.
  const learned = await loadLearnedOptimizer(path.join('pretrained', name));
  CANDIDATES.push([`learned: ${name}`, () => toTfjsOptimizer(learned, 'frozen')]);
}

const model = mlp();
const params = model.trainableWeights.map((w) => w.read() as tf.Variable);
const paramCount = params.reduce((n, p) => n + p.size, 0);
const grads = params.map((p, i) => ({ name: p.name, tensor: tf.randomNormal(p.shape, 0, 1e-2, 'float32', i) }));
const batch = randomBatch([784], 128, 10, 4);
const last = params[params.length - 1] as tf.Variable;
const options = { minSamples: 20, maxTime: 3 };

async function suite(name: string, make: (optimizer: tf.Optimizer) => () => Promise<void>): Promise<Summary> {
  const optimizers = CANDIDATES.map(([label, build]) => [label, build()] as const);
  const summary = await b.suite(name, ...optimizers.map(([label, optimizer]) => b.add(label, make(optimizer), options)), b.cycle(), b.complete());
  for (const [, optimizer] of optimizers) optimizer.dispose();
  return summary;
}

const update = await suite(`update of a ${paramCount}-parameter MLP (fixed gradients)`, (optimizer) => async () => {
  optimizer.applyGradients(grads);
  await last.data();
});
const step = await suite(`training step of the ${paramCount}-parameter MLP, batch 128`, (optimizer) => async () => {
  await trainingStep(model, optimizer, batch);
});

const table = (summary: Summary) => {
  const reference = summary.results.find((r) => r.name === 'tf.train.adam')!.details.mean;
  return summary.results.map((r) => ({ rule: r.name, meanMs: r.details.mean * 1000, ratioToTfAdam: r.details.mean / reference, rme: r.details.relativeMarginOfError }));
};
const results = { update: table(update), trainingStep: table(step) };
console.table(results.update);
console.table(results.trainingStep);
await writeResult('rules', 'rule overhead vs tf.train.adam', { paramCount, results });
