import { WasmHeapExhausted } from '../backend/wasm/heap.js';

/** Failures that a smaller group may avoid: the wasm heap (a guard's error, or a trap inside the module), a failed allocation. */
export function isOutOfMemory(error: unknown): boolean {
  if (error instanceof WasmHeapExhausted || error instanceof WebAssembly.RuntimeError) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /out of memory|OOM when allocating|Array buffer allocation failed|Invalid typed array length|Invalid array buffer length/i.test(message);
}
