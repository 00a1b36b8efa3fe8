/**
 * How much memory a backend lets tensors use, and how much the process has used.
 * The suite planner sizes run groups against the budget; records carry the usage.
 */
import tf from '#tfjs';
import type { ConcreteBackend } from './names.js';
import { WASM_HEAP_BYTES, wasmHeapBytes } from './wasm/heap.js';

export interface MemoryBudget {
  /** Bytes the tensors of one group may hold at once (Infinity when the backend does not say). */
  bytes: number;
  /** The largest single tensor a backend can hold (WebGPU's storage-buffer binding limit), when it has one. */
  bufferBytes?: number;
  /** Where the figures come from, for messages. */
  source: string;
}

/**
 * The machine's memory: Node's os.totalmem(), reached through process.getBuiltinModule rather than an import so
 * that the browser build (which sizes meta-training batches too) holds no Node built-in; in a browser,
 * navigator.deviceMemory (a rounded figure); undefined where neither says.
 */
function machineMemoryBytes(): number | undefined {
  const node = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = node?.getBuiltinModule?.('node:os') as { totalmem(): number } | undefined;
  if (os !== undefined) return os.totalmem();
  const gib = (globalThis as { navigator?: { deviceMemory?: number } }).navigator?.deviceMemory;
  return gib === undefined ? undefined : gib * 2 ** 30;
}

const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20).toLocaleString('en')} MiB`;

/** WebGPU's per-buffer limits of the device tfjs runs on (it reports no total). */
function webgpuBufferLimit(): number | undefined {
  const device = (tf.findBackend('webgpu') as unknown as { device?: { limits: { maxStorageBufferBindingSize: number; maxBufferSize: number } } } | null)?.device;
  return device === undefined ? undefined : Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
}

/**
 * The budget of `backend`: wasm's 4 GiB heap; WebGPU's buffer limits (device memory is
 * not reported); tfjs-node and cpu set no limit of their own, so the machine's memory
 * bounds them. `limit` (bytes, e.g. a worker's share of the machine) lowers any of these.
 */
export function memoryBudget(backend: ConcreteBackend, limit?: number): MemoryBudget {
  let budget: MemoryBudget;
  if (backend === 'wasm') budget = { bytes: WASM_HEAP_BYTES, source: 'the wasm heap (4 GiB)' };
  else if (backend === 'webgpu') {
    const bufferBytes = webgpuBufferLimit();
    budget = bufferBytes === undefined ? { bytes: Infinity, source: 'WebGPU (no limits known)' } : { bytes: Infinity, bufferBytes, source: `WebGPU buffers of at most ${mib(bufferBytes)}` };
  } else {
    const machine = machineMemoryBytes();
    budget = machine === undefined ? { bytes: Infinity, source: `the ${backend} backend (no limit known)` } : { bytes: machine, source: `the machine's memory (${mib(machine)}; the ${backend} backend sets no limit)` };
  }
  if (limit !== undefined && limit < budget.bytes) budget = { ...budget, bytes: limit, source: `a limit of ${mib(limit)}` };
  return budget;
}

export interface MemoryUsage {
  /** The wasm heap's size: its high-water mark, as wasm memory never shrinks (wasm backend only). */
  heapBytes?: number;
  /** The process's peak resident set so far. */
  maxRssBytes: number;
}

export function memoryUsage(): MemoryUsage {
  const heapBytes = wasmHeapBytes();
  // resourceUsage's maxRSS is in KiB (Node); this is only called in Node processes (the suite runner, workers).
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  return heapBytes === undefined ? { maxRssBytes } : { heapBytes, maxRssBytes };
}
