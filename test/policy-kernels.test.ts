/**
 * The coordinate policy's fused wasm passes (src/backend/wasm/policyKernels.ts, kernels.wat) against the tfjs ops
 * they replace, over shapes around the four-float vector width (the fused output layer bit for bit); their scalar
 * fallbacks against the SIMD passes;
 * the frozen rule on wasm (fused) against cpu (tensor ops); the tensor ops under a tape; no leaks; a run's numbers
 * the same alone and batched with other runs.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { computeOn, relativeError, seededValues } from './helpers/compare.js';
import { BIAS_TANH_DOT_KERNEL, BIAS_TANH_KERNEL, POLICY_FIRST_LAYER_KERNEL, POLICY_WINDOW_KERNEL } from '../src/backend/fusedKernels.js';
import { biasTanhDotScalar, biasTanhScalar, policyFirstLayerScalar, policyWindowScalar } from '../src/backend/wasm/policyKernels.js';
import { tanh } from '../src/learned/policy/mlp.js';
import { windowProduct } from '../src/learned/policy/fusedPasses.js';
import { CoordinatePolicy } from '../src/learned/index.js';
import { treeTensors } from '../src/rules/index.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readSuite } from '../src/suite/decode.js';
import { runSuite } from '../src/suite/runner.js';
import { parseRuns } from '../src/reporting/parseRuns.js';

const TINY = 1e-20;
/** Values of mixed scale (zeros, tanh's small-|x| branch, saturation) so that every branch is taken. */
function mixed(size: number, seed: number, scale = 3): Float32Array {
  return seededValues(size, seed).map((v, i) => (i % 13 === 0 ? 0 : i % 7 === 0 ? v * 1e-4 : i % 11 === 0 ? v * 30 : v * scale));
}
/** Max |a − b| ≤ abs + rel·|b|, elementwise. */
function close(a: ArrayLike<number>, b: ArrayLike<number>, rel: number, abs: number): string | undefined {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  for (let i = 0; i < b.length; i++) {
    const [x, y] = [a[i] as number, b[i] as number];
    if (!(Math.abs(x - y) <= abs + rel * Math.abs(y))) return `[${i}]: ${x} vs ${y}`;
  }
  return undefined;
}

const run = (kernel: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}) => tf.engine().runKernel(kernel, inputs, attrs) as tf.Tensor;

for (const [n, u, h] of [[1, 1, 1], [5, 3, 3], [7, 4, 25], [37, 6, 2], [64, 32, 25], [9, 33, 5]] as const) {
  test.serial(`fused policy passes equal the tfjs ops on wasm: n ${n}, units ${u}, history ${h}`, async (t) => {
    const values = await computeOn('wasm', () => {
      const before = tf.memory().numTensors;
      const window = tf.tensor2d(mixed(h * n, 1), [h, n]);
      const [pG, pS] = [tf.tensor2d(mixed(n * u, 2), [n, u]), tf.tensor2d(mixed(n * u, 3), [n, u])];
      const [rG, rS] = [tf.tensor1d(mixed(n, 4).map(Math.abs)), tf.tensor1d(mixed(n, 5).map(Math.abs))];
      const [lG, lS] = [tf.tensor1d(mixed(n, 6, 1)), tf.tensor1d(mixed(n, 7, 1))];
      const [w, term, bias] = [tf.tensor2d(mixed(2 * u, 8, 1), [2, u]), tf.tensor2d(mixed(u, 9, 1), [1, u]), tf.tensor1d(mixed(u, 10, 1))];
      const inputs = [window, pG, pS, rG, rS, lG, lS, w, term, bias];
      const columns = tf.tidy(() => tf.unstack(window) as tf.Tensor1D[]);
      const fused = [
        ...(tf.engine().runKernel(POLICY_WINDOW_KERNEL, Object.fromEntries(columns.map((c, k) => [String(k), c]))) as tf.Tensor[]),
        run(POLICY_FIRST_LAYER_KERNEL, { productG: pG, productS: pS, rmsG: rG, rmsS: rS, logG: lG, logS: lS, scaleWeights: w, term }, { tiny: TINY }),
        run(BIAS_TANH_KERNEL, { x: pG, bias }),
      ];
      const ops = tf.tidy(() => {
        const [cG, cS] = [tf.reshape(rG, [-1, 1]), tf.reshape(rS, [-1, 1])];
        const scales = tf.matMul(tf.stack([lG, lS], 0), w, true, false);
        const z = tf.add(tf.add(tf.add(tf.div(pG, tf.add(cG, TINY)), tf.div(pS, tf.add(cS, TINY))), term), scales);
        return [tf.transpose(window), tf.sqrt(tf.mean(tf.square(window), 0)), tanh(z), tanh(tf.add(pG, bias)), tf.tanh(z)];
      });
      const out = [...fused, ...ops, ...inputs];
      tf.dispose(columns);
      t.is(tf.memory().numTensors, before + out.length);
      return out;
    });
    const [rows, rms, first, biasTanh, rowsOps, rmsOps, firstOps, biasTanhOps, exactFirst] = values as Float32Array[] as [
      Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array,
    ];
    const [window, pG, pS, rG, rS, lG, lS, w, term, bias] = values.slice(9) as Float32Array[];
    t.deepEqual(Array.from(rows), Array.from(rowsOps), 'window rows');
    // Sums in another order, and tanh as a rational approximation (≤ 3.4e-7 relative) against 2σ(2x) − 1.
    t.is(close(rms, rmsOps, 1e-6, 0), undefined, 'window RMS');
    t.is(close(first, firstOps, 2e-6, 2e-7), undefined, 'first layer');
    t.is(close(biasTanh, biasTanhOps, 2e-6, 2e-7), undefined, 'bias + tanh');
    t.true(relativeError(first, exactFirst) <= 1e-6, 'first layer against tf.tanh');
    // The scalar fallbacks compute the same numbers: same float32 operations in the same order.
    const scalar = [new Float32Array(n), new Float32Array(n * u), new Float32Array(n * u), new Float32Array(n * h)] as const;
    policyWindowScalar(Array.from({ length: h }, (_, k) => window!.subarray(k * n, (k + 1) * n)), scalar[3], scalar[0]);
    t.deepEqual(Array.from(scalar[3]), Array.from(rows), 'window rows, scalar');
    policyFirstLayerScalar({ pG: pG!, pS: pS!, rG: rG!, rS: rS!, lG: lG!, lS: lS!, w: w!, t: term! }, TINY, scalar[1]);
    biasTanhScalar(pG!, bias!, scalar[2]);
    t.is(close(scalar[0], rms, 1e-6, 0), undefined, 'window RMS, scalar');
    t.deepEqual(Array.from(scalar[1]), Array.from(first), 'first layer, scalar');
    t.deepEqual(Array.from(scalar[2]), Array.from(biasTanh), 'bias + tanh, scalar');
  });
}

for (const [n, u] of [[1, 1], [3, 5], [4, 4], [5, 3], [8, 32], [37, 6], [9, 33], [101, 32]] as const) {
  test.serial(`the last tanh layer with the output layer fused equals bias + tanh, the product and the bias's add, bit for bit: n ${n}, units ${u}`, async (t) => {
    const values = await computeOn('wasm', () => {
      const before = tf.memory().numTensors;
      const [x, bias] = [tf.tensor2d(mixed(n * u, 30), [n, u]), tf.tensor1d(mixed(u, 31, 1))];
      const [weights, outBias] = [tf.tensor2d(mixed(u, 32, 1), [u, 1]), tf.tensor1d(mixed(1, 33, 1))];
      const fused = run(BIAS_TANH_DOT_KERNEL, { x, bias, weights, outBias });
      const ops = tf.tidy(() => tf.add(tf.matMul(run(BIAS_TANH_KERNEL, { x, bias }), weights), outBias));
      const out = [fused, ops, x, bias, weights, outBias];
      t.is(tf.memory().numTensors, before + out.length);
      return out;
    });
    const [fused, ops, x, bias, weights, outBias] = values as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
    t.deepEqual(Array.from(fused), Array.from(ops));
    const [onCpu] = await computeOn('cpu', () =>
      tf.tidy(() => [tf.add(tf.matMul(tf.tanh(tf.add(tf.tensor2d(x, [n, u]), tf.tensor1d(bias))), tf.tensor2d(weights, [u, 1])), tf.tensor1d(outBias))]),
    );
    t.is(close(fused, onCpu!, 1e-5, 1e-6), undefined, 'against cpu');
    const scalar = new Float32Array(n);
    biasTanhDotScalar(x, bias, weights, outBias[0]!, scalar);
    t.deepEqual(Array.from(scalar), Array.from(fused), 'scalar');
  });
}

test.serial('the fused tanh keeps NaN and saturates at ±∞', async (t) => {
  const [y] = await computeOn('wasm', () => {
    const [x, bias] = [tf.tensor2d([[NaN, Infinity, -Infinity, 0, -0.5]]), tf.zeros([5])];
    const out = run(BIAS_TANH_KERNEL, { x, bias });
    tf.dispose([x, bias]);
    return [out];
  });
  t.true(Number.isNaN(y![0]));
  t.deepEqual(Array.from(y!.slice(1, 4)), [1, -1, 0]);
  t.true(Math.abs(y![4]! - Math.tanh(-0.5)) <= 1e-7);
});

test.serial('bad inputs to the fused passes name the input', async (t) => {
  await computeOn('wasm', () => []);
  const x = tf.zeros([4, 3]);
  t.throws(() => run(BIAS_TANH_KERNEL, { x, bias: tf.zeros([4]) }), { message: /bias \+ tanh: input 'bias' must have shape \[3\], got \[4\]/ });
  t.throws(() => run(POLICY_WINDOW_KERNEL, { 0: tf.zeros([2]), 1: tf.zeros([3]) }), { message: /policy window: input '1' must have shape \[2\], got \[3\]/ });
  t.throws(() => run(BIAS_TANH_DOT_KERNEL, { x, bias: tf.zeros([3]), weights: tf.zeros([3, 2]), outBias: tf.zeros([1]) }), { message: /input 'weights' must have shape \[3,1\], got \[3,2\]/ });
  x.dispose();
});

test.serial('under a gradient tape a window\'s product and RMS are tensor ops (differentiable)', async (t) => {
  const [dProduct, dRms] = await computeOn('wasm', () => {
    const [c0, c1] = [tf.tensor1d([3, 0]), tf.tensor1d([4, 2])];
    const block = tf.tensor2d([[1, 2], [3, 4]]);
    const grads = [
      tf.grad((c: tf.Tensor) => tf.sum(windowProduct([c as tf.Tensor1D, c1], block).product))(c0),
      tf.grad((c: tf.Tensor) => tf.sum(windowProduct([c as tf.Tensor1D, c1], block).rms()))(c0),
    ];
    tf.dispose([c0, c1, block]);
    return grads;
  });
  // d/dc₀ Σ (rows·block) = the first block row's sum, per coordinate; d/dc₀ √((c₀² + c₁²)/2) = c₀ / (2·rms).
  t.deepEqual(Array.from(dProduct!), [3, 3]);
  t.is(close(dRms!, [3 / (2 * Math.sqrt(12.5)), 0], 1e-6, 0), undefined);
});

/** Five steps of the default policy's frozen rule (the fused path on wasm) on a two-tensor model; updates and state. */
function frozenSteps(t: { is: (a: number, b: number, m?: string) => void }): () => tf.Tensor[] {
  return () => {
    const before = tf.memory().numTensors;
    const policy = new CoordinatePolicy({ seed: 3 });
    // A last layer of ordinary size, so that the actions are far from zero.
    const last = policy.policyLayers.at(-1)!;
    tf.tidy(() => last.kernel.assign(tf.mul(tf.tensor2d(mixed(last.kernel.size, 11, 1), last.kernel.shape as [number, number]), 0.5)));
    const params = [tf.tensor2d(mixed(30 * 7, 12, 1), [30, 7]), tf.tensor1d(mixed(13, 13, 1))];
    const rule = policy.rule();
    let state = rule.init(params);
    const out: tf.Tensor[] = [];
    for (let step = 0; step < 5; step++) {
      const grads = params.map((p, j) => tf.tensor(mixed(p.size, 20 + 2 * step + j, 10 ** (step - 2)), p.shape));
      const loss = tf.scalar(2 - 0.3 * step);
      // As the training loop runs it: one update inside tf.tidy.
      const next = tf.tidy(() => {
        const o = rule.update({ grads, params, loss, step }, state);
        return { updates: o.updates, state: o.state };
      });
      out.push(...next.updates);
      tf.dispose([loss, ...grads, ...treeTensors(state)]);
      state = next.state;
    }
    out.push(...treeTensors(state));
    const kept = out.map((x) => tf.clone(x));
    tf.dispose([...out, ...params]);
    policy.dispose();
    t.is(tf.memory().numTensors, before + kept.length, 'the frozen rule leaked tensors');
    return kept;
  };
}

test.serial('the default policy’s frozen rule on wasm (fused passes) equals cpu (tensor ops), and runs the fused kernels', async (t) => {
  const fused = await computeOn('wasm', frozenSteps(t));
  const reference = await computeOn('cpu', frozenSteps(t));
  t.is(fused.length, reference.length);
  // Products in another order, and tanh's rational approximation: agreement to ~1e-5 relative.
  fused.forEach((values, i) => t.true(relativeError(values, reference[i]!) <= 1e-5, `output ${i}: ${relativeError(values, reference[i]!)}`));
  await computeOn('wasm', () => []);
  const policy = new CoordinatePolicy({ seed: 3 });
  const params = [tf.zeros([40])];
  const rule = policy.rule();
  const state = rule.init(params);
  const grads = [tf.ones([40])];
  const loss = tf.scalar(1);
  const info = await tf.profile(() => {
    const next = tf.tidy(() => {
      const o = rule.update({ grads, params, loss, step: 0 }, state);
      return { updates: o.updates, state: o.state };
    });
    tf.dispose([...next.updates, ...treeTensors(next.state)]);
  });
  const names = info.kernels.map((k) => k.name);
  // The [32, 32] layer and the one-unit output layer after it are one pass: no bias + tanh of its own.
  t.deepEqual([POLICY_WINDOW_KERNEL, POLICY_FIRST_LAYER_KERNEL, BIAS_TANH_KERNEL, BIAS_TANH_DOT_KERNEL].map((k) => names.filter((n) => n === k).length), [2, 1, 0, 1]);
  t.false(names.includes('Sigmoid'), 'a tanh layer still went through 2σ(2x) − 1');
  t.false(names.includes('Pack') || names.includes('Transpose'), 'a window was still stacked or transposed');
  tf.dispose([loss, ...params, ...grads, ...treeTensors(state)]);
  policy.dispose();
});

test.serial("a run's numbers do not depend on its group: the shipped policy on one seed alone equals that seed batched with another", async (t) => {
  // Batched runs give the policy a loss term per coordinate, which the fused first layer does not take; their ops must
  // compute what the kernel computes, or the worker pool (which splits groups) would change results.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-policy-group-'));
  const run = async (seeds: number) => {
    const out = path.join(dir, `seeds-${seeds}`);
    const suite = { name: 'policy-group', backend: 'wasm', steps: 100, seeds, tasks: [{ task: 'quadratic' }], optimizers: [{ name: 'policy-nn', learned: { kind: 'coordinate-policy', checkpoint: path.resolve('pretrained/policy-nn'), mode: 'frozen' } }] };
    await writeFile(`${out}.json`, JSON.stringify(suite));
    await runSuite(await readSuite(`${out}.json`), { out, backend: 'wasm' });
    return parseRuns(await readFile(path.join(out, 'runs.jsonl'), 'utf8')).records;
  };
  const alone = (await run(1)).find((r) => r.seed === 0)!;
  const batched = (await run(2)).find((r) => r.seed === 0)!;
  await rm(dir, { recursive: true, force: true });
  t.deepEqual(batched.losses, alone.losses);
});
