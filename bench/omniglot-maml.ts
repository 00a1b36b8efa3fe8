/**
 * What a MAML meta-iteration on real Omniglot costs, and where the time goes (issue #19):
 * (1) decoding the two zips into the per-process drawing cache, and a second load served
 * from it; (2) episode sampling from the cache (5-way 1-shot, 15 queries), alone and with
 * the upload to tensors that `instantiate` does; (3) the start rows built from nested
 * arrays (before) and from one typed copy (now); (4) ms per meta-iteration (episodes
 * instantiated, meta-gradient, Adam on θ₀), wall and CPU, for the settings that matter:
 * the suite's earlier first-order config (15 queries, 5 inner steps), Finn et al.'s
 * (1 query per class, 1 inner step, meta-batch 32), and second order on one episode;
 * (5) optionally the kernel profile of one meta-iteration.
 *
 *   npx tsx bench/omniglot-maml.ts --data-dir /work/shared/datasets [--timed 2] [--profile] [--backend wasm]
 */
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { loadOmniglot } from '../src/data/omniglot.js';
import { metaGradient, MAML_DEFAULTS, type MamlConfig } from '../src/meta/maml/maml.js';
import { episodeOf, omniglotFewShotTask } from '../src/tasks/index.js';
import { familyOf } from '../src/tasks/types.js';
import { positiveInt, startBench } from './harness.js';

const { options, choice, writeResult } = await startBench<{ dataDir: string; timed: number; profile?: boolean }>({
  name: 'omniglot-maml',
  description: 'MAML meta-iteration cost on real Omniglot: decoding, episode sampling, meta-gradient (first and second order)',
  flags: (c) =>
    c
      .requiredOption('--data-dir <dir>', 'the folder holding omniglot/images_{background,evaluation}.zip')
      .option('--timed <n>', 'timed meta-iterations per setting (after one warm-up)', positiveInt('--timed'), 2)
      .option('--profile', 'also record the kernel profile of one meta-iteration (Finn et al. settings, meta-batch 8)'),
});
const { dataDir, timed } = options;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** Wall and CPU ms of `f`. */
async function clock(f: () => Promise<void> | void): Promise<{ wallMs: number; cpuMs: number }> {
  const [w, c] = [performance.now(), cpuMs()];
  await f();
  return { wallMs: performance.now() - w, cpuMs: cpuMs() - c };
}

// (1) Decoding, once per process; the second load is the cache.
let splits: { background: Awaited<ReturnType<typeof loadOmniglot>>; evaluation: Awaited<ReturnType<typeof loadOmniglot>> } | undefined;
const decode = await clock(async () => {
  const [background, evaluation] = await Promise.all([loadOmniglot('background', { dataDir }), loadOmniglot('evaluation', { dataDir })]);
  splits = { background, evaluation };
});
const drawings = splits!.background.length * 20 + splits!.evaluation.length * 20;
const cached = await clock(async () => {
  await loadOmniglot('background', { dataDir });
  await loadOmniglot('evaluation', { dataDir });
});
console.log(`decode: ${drawings} drawings in ${(decode.wallMs / 1000).toFixed(1)} s wall, ${(decode.cpuMs / 1000).toFixed(1)} s CPU; cached load ${cached.wallMs.toFixed(2)} ms`);

// (2) Episode sampling from the cache (background seeds: rotations included), then with the upload.
const shape = { ways: 5, shots: 1, queries: 15, size: 28 };
const episodes = 400;
const perEpisode = shape.ways * (shape.shots + shape.queries);
const sampling = await clock(() => {
  for (let i = 0; i < episodes; i++) episodeOf(splits!, 1_000_000 + i, shape);
});
const task = omniglotFewShotTask({ ways: 5, shots: 1, dataDir });
await task.prepare!();
const family = familyOf(task);
const uploadBatches = 10;
const uploading = await clock(() => {
  for (let b = 0; b < uploadBatches; b++) task.instantiate(Array.from({ length: 32 }, (_, i) => family.metaTrainSeed(b * 32 + i))).dispose();
});
const imagesPerSecond = {
  sampling: (episodes * perEpisode) / (sampling.wallMs / 1000),
  samplingAndUpload: (uploadBatches * 32 * perEpisode) / (uploading.wallMs / 1000),
};
console.log(`sampling: ${imagesPerSecond.sampling.toFixed(0)} images/s; with instantiate (upload, start rows): ${imagesPerSecond.samplingAndUpload.toFixed(0)} images/s`);

// (3) The start rows of a meta-batch of 32: nested arrays (the earlier code) against one typed copy.
const initial = new Float32Array(task.dimension).fill(0.5);
const nested = await clock(() => tf.tensor2d(Array.from({ length: 32 }, () => Array.from(initial))).dispose());
const typed = await clock(() => {
  const rows = new Float32Array(32 * initial.length);
  for (let r = 0; r < 32; r++) rows.set(initial, r * initial.length);
  tf.tensor2d(rows, [32, initial.length]).dispose();
});
console.log(`start rows (32 × ${task.dimension}): nested arrays ${nested.wallMs.toFixed(0)} ms, typed copy ${typed.wallMs.toFixed(0)} ms`);

// (4) Meta-iterations.
interface Setting {
  label: string;
  metaTrainQueries: number;
  config: Pick<MamlConfig, 'metaBatch' | 'innerSteps' | 'firstOrder'>;
}
const settings: Setting[] = [
  { label: 'earlier suite config: 15 queries/class, 5 inner steps, meta-batch 8, first order', metaTrainQueries: 15, config: { metaBatch: 8, innerSteps: 5, firstOrder: true } },
  { label: '15 queries/class, 1 inner step, meta-batch 8, first order', metaTrainQueries: 15, config: { metaBatch: 8, innerSteps: 1, firstOrder: true } },
  { label: 'Finn et al.: 1 query/class, 1 inner step, meta-batch 8, first order', metaTrainQueries: 1, config: { metaBatch: 8, innerSteps: 1, firstOrder: true } },
  { label: 'Finn et al.: 1 query/class, 1 inner step, meta-batch 32, first order', metaTrainQueries: 1, config: { metaBatch: 32, innerSteps: 1, firstOrder: true } },
  { label: 'Finn et al.: 1 query/class, 1 inner step, 1 episode, second order', metaTrainQueries: 1, config: { metaBatch: 1, innerSteps: 1, firstOrder: false } },
  { label: '15 queries/class, 1 inner step, 1 episode, second order', metaTrainQueries: 15, config: { metaBatch: 1, innerSteps: 1, firstOrder: false } },
];
const iterations: Array<Setting & { wallMsPerIteration: number; cpuMsPerIteration: number; cpuMsPerEpisode: number }> = [];
let profile: Array<{ kernel: string; ms: number; calls: number }> | undefined;
for (const setting of settings) {
  const settingTask = omniglotFewShotTask({ ways: 5, shots: 1, metaTrainQueries: setting.metaTrainQueries, dataDir });
  await settingTask.prepare!();
  const settingFamily = familyOf(settingTask);
  const config: MamlConfig = { ...MAML_DEFAULTS, ...setting.config };
  const start = settingTask.instantiate([0]);
  const theta0 = tf.variable(tf.reshape(start.start, [-1]) as tf.Tensor1D);
  start.dispose();
  const adam = tf.train.adam(config.outerLearningRate);
  const iteration = async (k: number) => {
    const problem = settingTask.instantiate(Array.from({ length: config.metaBatch }, (_, i) => settingFamily.metaTrainSeed(k * config.metaBatch + i)));
    const { loss, grad } = metaGradient(problem, theta0, config);
    await loss.data();
    adam.applyGradients([{ name: theta0.name, tensor: grad }]);
    tf.dispose([loss, grad]);
    problem.dispose();
  };
  await iteration(0); // warm-up; also creates Adam's slots
  const tensorsBefore = tf.memory().numTensors;
  const measured = await clock(async () => {
    for (let k = 1; k <= timed; k++) await iteration(k);
  });
  if (tf.memory().numTensors !== tensorsBefore) throw new Error(`${setting.label}: tensors grew from ${tensorsBefore} to ${tf.memory().numTensors}`);
  const row = { ...setting, wallMsPerIteration: measured.wallMs / timed, cpuMsPerIteration: measured.cpuMs / timed, cpuMsPerEpisode: measured.cpuMs / timed / config.metaBatch };
  iterations.push(row);
  console.log(`${setting.label}: ${row.wallMsPerIteration.toFixed(0)} ms wall, ${row.cpuMsPerIteration.toFixed(0)} ms CPU per meta-iteration (${row.cpuMsPerEpisode.toFixed(0)} ms CPU per episode)`);
  if (options.profile === true && setting.config.metaBatch === 8 && setting.metaTrainQueries === 1) {
    const info = await tf.profile(() => iteration(timed + 1));
    const byKernel = new Map<string, { ms: number; calls: number }>();
    for (const k of info.kernels) {
      const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
      entry.ms += Number(k.kernelTimeMs);
      entry.calls++;
      byKernel.set(k.name, entry);
    }
    profile = [...byKernel].map(([kernel, v]) => ({ kernel, ...v })).sort((a, b) => b.ms - a.ms);
    console.log(`profile: ${info.kernels.length} kernels; ${profile.slice(0, 10).map((p) => `${p.kernel} ${p.ms.toFixed(0)} ms (${p.calls})`).join(', ')}`);
  }
  adam.dispose();
  theta0.dispose();
}

await writeResult('omniglot-maml', 'omniglot maml meta-iteration cost', {
  backend: choice.backend,
  decode: { drawings, wallSeconds: decode.wallMs / 1000, cpuSeconds: decode.cpuMs / 1000, imagesPerSecond: drawings / (decode.wallMs / 1000), cachedLoadMs: cached.wallMs },
  episodeImagesPerSecond: imagesPerSecond,
  startRowsMs: { nestedArrays: nested.wallMs, typedCopy: typed.wallMs, rows: 32, dimension: task.dimension },
  timedIterations: timed,
  iterations,
  ...(profile === undefined ? {} : { profile }),
});
