/**
 * The wasm module's heap: how big it has grown, a guard that turns a failed
 * allocation into an error, and a restart for a module that trapped.
 *
 * Why a guard: tfjs-backend-wasm places a new tensor at whatever `_malloc`
 * returns, and `_malloc` returns 0 when the 4 GiB heap is full, so the tensor is
 * written over the module's own data at address 0. What follows is a trap
 * ("memory access out of bounds", "Aborted()") some kernels later, or wrong
 * numbers. The guard throws instead, before anything is written.
 *
 * Why a restart: once a kernel has trapped (an allocation inside XNNPACK failed,
 * say) the module's state is whatever it was mid-kernel. A fresh module is the
 * only state we can trust; tensors made on the old one cannot be used after it.
 */
import tf from '#tfjs';

/** wasm32 addresses 4 GiB; tfjs-backend-wasm's module may grow its memory to all of it. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;

/**
 * Room the guard leaves for the module's own small allocations (tensor bookkeeping,
 * XNNPACK's operators): when those fail, the module aborts mid-kernel instead of
 * returning to JavaScript, and only a restart recovers it.
 */
const HEADROOM_BYTES = 256 * 2 ** 20;

/** A tensor (or a kernel's buffer) did not fit in the wasm heap: thrown by the guard instead of writing at address 0. */
export class WasmHeapExhausted extends Error {
  constructor(
    readonly requestedBytes: number,
    readonly limitBytes: number,
  ) {
    super(`wasm heap exhausted: ${mib(requestedBytes)} more did not fit under ${mib(limitBytes)}`);
    this.name = 'WasmHeapExhausted';
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

interface WasmModule {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  HEAPU8: Uint8Array;
  asm?: { malloc?: (bytes: number) => number };
  [GUARDED]?: true;
}
interface WasmBackendLike {
  wasm: WasmModule | null;
}
const GUARDED = Symbol('alphaopt heap guard');

let limitBytes = WASM_HEAP_BYTES - HEADROOM_BYTES;

function activeModule(): WasmModule | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  return (tf.backend() as unknown as WasmBackendLike).wasm ?? undefined;
}

/** Where the heap guard treats the heap as full: 4 GiB less headroom, or the lower limit given to `guardWasmHeap`. */
export function wasmHeapLimitBytes(): number {
  return limitBytes;
}

/** Bytes the wasm heap has grown to: its high-water mark, since wasm memory never shrinks. Undefined on other backends. */
export function wasmHeapBytes(): number | undefined {
  return activeModule()?.HEAPU8.buffer.byteLength;
}

/**
 * Makes failed allocations of the active wasm module throw `WasmHeapExhausted`,
 * and (for tests, and for worker pools that share a machine's memory) treats the
 * heap as full at `limit` bytes. Call after `tf.setBackend('wasm')`; idempotent.
 */
export function guardWasmHeap(limit: number = WASM_HEAP_BYTES): void {
  limitBytes = Math.min(limit, WASM_HEAP_BYTES - HEADROOM_BYTES);
  const module = activeModule();
  if (module === undefined || module[GUARDED] === true) return;
  // Emscripten's `_malloc` is a stub that replaces itself by the raw export on its first call, which would
  // drop a wrapper installed before that call: wrap the raw export.
  const malloc = module.asm?.malloc ?? module._malloc.bind(module);
  module._malloc = (bytes: number) => {
    const pointer = malloc(bytes) >>> 0;
    if (bytes > 0 && (pointer === 0 || pointer + bytes > limitBytes)) {
      if (pointer !== 0) module._free(pointer);
      throw new WasmHeapExhausted(bytes, limitBytes);
    }
    return pointer;
  };
  module[GUARDED] = true;
}


/**
 * Replaces the active wasm backend by a fresh module (same kernels, an empty
 * heap). Tensors made before are gone: disposing them is a no-op, reading them
 * throws. Callers rebuild what they keep across calls (learned optimizers).
 */
export async function restartWasmBackend(): Promise<void> {
  const factory = tf.findBackendFactory('wasm');
  if (factory === null) throw new Error('restartWasmBackend: no wasm backend is registered');
  const dead = tf.findBackend('wasm') as unknown as Record<string, unknown> | null;
  if (dead !== null) {
    const gone = () => {
      throw new Error('this tensor lived on a wasm module that was restarted after it failed; make it again');
    };
    // The old module may be unusable: never call into it again.
    Object.assign(dead, { dispose: () => undefined, disposeData: () => true, readSync: gone, read: gone, incRef: () => undefined });
  }
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, 2);
  if (!(await tf.setBackend('wasm'))) throw new Error('restartWasmBackend: the fresh wasm module failed to start');
  await tf.ready();
  guardWasmHeap(limitBytes);
}
