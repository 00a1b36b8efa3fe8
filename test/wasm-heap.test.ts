/**
 * The wasm heap: a full heap is an error instead of a tensor written at address 0,
 * and a module that trapped is replaced by a fresh one that computes correctly.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WasmHeapExhausted, guardWasmHeap, restartWasmBackend, wasmHeapBytes } from '../src/backend/wasm/heap.js';
import { ruleFromSpec } from '../src/rules/index.js';
import { decodeSuite } from '../src/suite/decode.js';
import { runResult, type RunRecord } from '../src/suite/record.js';
import { runSuite } from '../src/suite/runner.js';
import { estimateGroupBytes, probeRowFootprint, SAFETY_FRACTION } from '../src/suite/sizing.js';
import { syntheticConvTask } from './helpers/syntheticConv.js';

test.before(async () => {
  await setupBackend('wasm');
});

test.serial('past the heap limit an allocation throws WasmHeapExhausted, and the module goes on computing correctly', async (t) => {
  guardWasmHeap(96 * 2 ** 20);
  try {
    const held: tf.Tensor[] = [];
    const error = t.throws(() => {
      for (let i = 0; i < 8; i++) held.push(tf.fill([8 * 2 ** 20], i)); // 32 MiB each
    });
    t.true(error instanceof WasmHeapExhausted, String(error));
    t.true(held.length >= 1 && held.length < 3, `${held.length} fitted`);
    const sums = await Promise.all(held.map((h) => h.sum().data()));
    t.deepEqual(sums.map((s) => s[0]), held.map((_, i) => i * 8 * 2 ** 20), 'what was made before is intact');
    tf.dispose(held);
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    t.deepEqual(Array.from(await tf.matMul(a, a).data()), [7, 10, 15, 22]);
    a.dispose();
  } finally {
    guardWasmHeap();
  }
});

test.serial('a module that trapped is replaced: the fresh one computes correctly (convolution gradients included) and old tensors go quietly', async (t) => {
  const old = tf.tensor1d([1, 2, 3]);
  // A real trap: a kernel called on tensor ids that do not exist aborts inside the module.
  const module = (tf.backend() as unknown as { wasm: Record<string, (...args: number[]) => void> }).wasm;
  t.throws(() => module['_Ceil']!(987_654, 987_655), { instanceOf: WebAssembly.RuntimeError });
  await restartWasmBackend();
  t.is(tf.getBackend(), 'wasm');
  t.true(wasmHeapBytes()! <= 32 * 2 ** 20, 'a fresh, small heap');
  t.notThrows(() => old.dispose());
  const kernel = tf.ones([3, 3, 1, 2]) as tf.Tensor4D;
  const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, kernel, 1, 'same')))(tf.ones([1, 5, 5, 1]));
  // Each input pixel meets as many kernel taps as fit inside the 5×5 image (×2 filters): 338 in all.
  t.is((await grad.sum().data())[0], 338);
  tf.dispose([kernel, grad]);
});

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'alphaopt-wasm-heap-'));
const recordsIn = async (dir: string) =>
  (await readFile(path.join(dir, 'runs.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as RunRecord);

function convSuite() {
  const suite = decodeSuite(
    { name: 'conv', backend: 'wasm', steps: 2, seeds: 4, tasks: [{ task: 'rosenbrock', id: 'placeholder' }], optimizers: [{ name: 'adam', rule: 'adam' }] },
    'conv.json',
  );
  suite.tasks[0] = syntheticConvTask();
  return suite;
}

test.serial('on wasm, a suite sized under a limit gives the records of one-at-a-time runs and reports the heap; a run that cannot fit alone names task, optimizer and size', async (t) => {
  const footprint = await probeRowFootprint(syntheticConvTask(), () => ({ rule: ruleFromSpec({ rule: 'adam', options: {} }, 'adam'), dispose: () => undefined }), { seed: 0, hparams: {} });
  const heap = wasmHeapBytes()!;
  // The heap (module, free space and all) counts against the limit: room above it for 2 rows under the safety fraction.
  const limitFor = (rows: number) => (heap + estimateGroupBytes(footprint, rows)) / SAFETY_FRACTION;
  const limit = limitFor(2.5);
  const grouped = await tempDir();
  await runSuite(convSuite(), { out: grouped, memoryLimit: limit });
  const alone = await tempDir();
  await runSuite(convSuite(), { out: alone, memoryLimit: limitFor(1.5) });
  const [a, b] = [await recordsIn(grouped), await recordsIn(alone)];
  t.deepEqual(a.map((r) => r.memory!.groupRows), [2, 2, 2, 2]);
  t.true(a.every((r) => r.memory!.heapBytes! >= heap));
  t.deepEqual(b.map((r) => r.memory!.groupRows), [1, 1, 1, 1]);
  t.deepEqual(a.map(runResult), b.map(runResult));

  // A heap limit below what the module already holds: the probe and then a single run fail on the guard.
  const error = await t.throwsAsync(runSuite(convSuite(), { out: await tempDir(), memoryLimit: 4096 }));
  t.regex(error!.message, /^adam on synthetic-conv: a single run \(\d+ parameters, seed 0\) does not fit in memory \(wasm heap exhausted: .*\)/);
  // The limit is lifted after the suite: the module still computes.
  const x = tf.tensor1d([1, 2, 3]);
  t.deepEqual(Array.from(await tf.mul(x, 2).data()), [2, 4, 6]);
  x.dispose();
});
