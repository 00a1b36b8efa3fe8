/**
 * The wasm heap: a full heap is an error instead of a tensor written at address 0,
 * and a module that trapped is replaced by a fresh one that computes correctly.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.js';
import { WasmHeapExhausted, guardWasmHeap, restartWasmBackend, wasmHeapBytes } from '../src/backend/wasm/heap.js';

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
