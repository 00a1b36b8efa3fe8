/**
 * Every registered learned kind, frozen and (where it has one) online: a model compiled with its
 * tfjs optimizer is saved with `includeOptimizer: true` after k steps, reloaded by
 * `tf.loadLayersModel`, and the next steps of the reloaded model equal the original's.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { createLearnedOptimizer, learnedKinds, LearnedTfjsOptimizer, rules, setupBackend, toTfjsOptimizer, type JsonValue } from '../src/index.js';

// Before any tensor exists (the kinds are instantiated below to see which have an online mode).
await setupBackend('cpu');

/** Small or fast settings where a kind has them; any other registered kind runs with its defaults. */
const OPTIONS: Record<string, Record<string, JsonValue>> = {
  'lr-schedule': { horizon: 20, base: 'adam' },
  lstm: { hidden: 6 },
  'coordinate-policy': { hidden: [8], history: 5 },
  'dqn-controller': { hidden: [8] },
  // unroll 3: the online actor takes policy-gradient steps inside the few steps run here.
  'actor-critic': { units: 6, unroll: 3 },
};

function data(): { x: tf.Tensor2D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const x = tf.randomUniform([16, 4], -1, 1, 'float32', 3) as tf.Tensor2D;
    const y = tf.sum(tf.mul(x, tf.tensor1d([0.5, -1, 2, 0.3])), 1, true) as tf.Tensor2D;
    return { x, y };
  });
}

function model(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 3, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

async function saveToMemory(m: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer: true },
  );
  return artifacts!;
}

const fit = (m: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) => m.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });

for (const kind of learnedKinds()) {
  const learned = createLearnedOptimizer(kind, OPTIONS[kind] ?? {});
  const modes = learned.onlineRule === undefined ? (['frozen'] as const) : (['frozen', 'online'] as const);
  learned.dispose();
  for (const mode of modes) {
    test.serial(`${kind} (${mode}): saved with includeOptimizer after k steps, reloaded, the next steps are the same`, async (t) => {
      const { x, y } = data();
      const lo = createLearnedOptimizer(kind, OPTIONS[kind] ?? {});
      // Move φ off its seeded initialisation, so that only a saved φ can reproduce it.
      [...lo.metaParams.values()].forEach((v, i) => v.assign(tf.tidy(() => tf.add(v, tf.randomNormal(v.shape, 0, 0.05, 'float32', 100 + i)))));
      const original = model();
      original.compile({ optimizer: toTfjsOptimizer(lo, mode), loss: 'meanSquaredError' });
      await fit(original, x, y); // k = 8 steps

      const artifacts = await saveToMemory(original);
      t.is((artifacts.trainingConfig?.optimizer_config as { class_name: string }).class_name, LearnedTfjsOptimizer.className);
      const reloaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
      t.true(reloaded.optimizer instanceof LearnedTfjsOptimizer);
      const restored = reloaded.optimizer as LearnedTfjsOptimizer;
      t.is(restored.learned.kind, kind);
      t.is(restored.mode, mode);
      t.deepEqual(restored.learned.hyperParams, lo.hyperParams);
      t.not(restored.learned, lo, 'the reloaded optimizer rebuilt its own learned optimizer');

      await fit(original, x, y);
      await fit(reloaded, x, y);
      const a = original.getWeights().map((w) => Array.from(w.dataSync()));
      const b = reloaded.getWeights().map((w) => Array.from(w.dataSync()));
      a.flat().forEach((v, i) => t.true(Math.abs(v - b.flat()[i]!) <= 1e-6, `weight ${i}: ${v} vs ${b.flat()[i]}`));
      // φ too: online modes change it as they run.
      for (const [name, variable] of lo.metaParams) {
        const other = restored.learned.metaParams.get(name)!;
        t.true(tf.tidy(() => tf.max(tf.abs(tf.sub(variable, other))).dataSync()[0]!) <= 1e-6, `meta-parameter ${name}`);
      }
      original.optimizer.dispose();
      reloaded.optimizer.dispose();
      original.dispose();
      reloaded.dispose();
      lo.dispose();
      tf.dispose([x, y]);
    });
  }
}

test('a rule without a JSON spec says why it cannot be serialised, without blaming a tensor the user never set', (t) => {
  const custom: rules.UpdateRule = { init: () => [], update: ({ grads }) => ({ updates: grads.map((g) => tf.neg(g)), state: [] }) };
  const error = t.throws(() => toTfjsOptimizer(custom).getConfig());
  t.regex(error!.message, /no JSON spec/);
  t.regex(error!.message, /toTfjsOptimizer\(learned, mode\)/);
});

test.serial('a saved model whose learned meta-parameters hold NaN is refused on load, naming the variable', async (t) => {
  const { x, y } = data();
  const lo = createLearnedOptimizer('lr-schedule', { horizon: 5 });
  const m = model();
  m.compile({ optimizer: toTfjsOptimizer(lo, 'frozen'), loss: 'meanSquaredError' });
  await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
  const artifacts = await saveToMemory(m);
  // Overwrite the first value of φ in the weight data (float32 and int32 weights take 4 bytes per value).
  const specs = artifacts.weightSpecs!;
  const index = specs.findIndex((s) => s.name === 'learned:meta/logLearningRate');
  t.true(index >= 0, 'φ travels in the optimizer weights');
  const offset = specs.slice(0, index).reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
  const bytes = tf.io.CompositeArrayBuffer.join(artifacts.weightData!);
  new DataView(bytes).setFloat32(offset, Number.NaN, true);
  await t.throwsAsync(tf.loadLayersModel(tf.io.fromMemory({ ...artifacts, weightData: bytes })), {
    message: /meta-parameter 'logLearningRate' of the 'lr-schedule' optimizer holds NaN at index 0/,
  });
  m.optimizer.dispose();
  m.dispose();
  lo.dispose();
  tf.dispose([x, y]);
});
