/**
 * Chooses and starts a tfjs backend. Called once at start-up; everything above it
 * is backend-agnostic (and async-safe for WebGPU).
 */
import { registerMissingGradients } from './gradients.js';
import { registerFusedReluGradient } from './reluGradient.js';
import tf from '#tfjs';
import { BackendUnavailableError, type BackendChoice, type BackendRequest, type ConcreteBackend } from './names.js';
import { importModule, loadTensorflow, type ModuleLoader } from './tensorflow.js';
import { describeWasm, prepareWasm } from './wasm/index.js';
import { guardWasmHeap } from './wasm/heap.js';
import { probeWebgpu, registerWebgpuBackend } from './webgpu.js';

export interface SetupOptions {
  /** How optional packages are imported; tests replace it to simulate tfjs-node being installed or absent. */
  loadModule?: ModuleLoader;
  /**
   * wasm only: XNNPACK threads for each kernel (tfjs-backend-wasm's threaded SIMD build; Node only,
   * wasm/threads.ts). Default 1, the single-threaded build. Worth it where cores would otherwise idle;
   * with every core busy (a worker pool of one process per core) it only adds synchronisation.
   */
  threads?: number;
}

type Attempt = { ok: true; choice: Omit<BackendChoice, 'requested' | 'reason'> } | { ok: false; reason: string };

async function activate(tfjsName: string): Promise<void> {
  const ok = await tf.setBackend(tfjsName);
  if (!ok) throw new Error(`tfjs could not initialise backend '${tfjsName}'`);
  await tf.ready();
  silenceCpuBanner();
}

/**
 * tfjs's cpu backend prints an advert for tfjs-node on its first write in Node.
 * AlphaOpt reports the chosen backend (and how to get tfjs-node) itself, and the
 * banner would corrupt `--json` output, so it is switched off.
 */
export function silenceCpuBanner(): void {
  // tfjs creates a fresh cpu backend when it first picks a default backend, replacing any made
  // earlier; so let it pick first (cheap), then flag the instance that will actually run.
  tf.backend();
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu !== null && 'firstUse' in cpu) cpu.firstUse = false;
}

async function tryTensorflow(loadModule: ModuleLoader): Promise<Attempt> {
  const detection = await loadTensorflow(loadModule);
  if (!detection.available) return { ok: false, reason: detection.reason };
  if (tf.findBackendFactory('tensorflow') === null) {
    return { ok: false, reason: `${detection.package} loaded but registered no 'tensorflow' backend (does its @tensorflow/tfjs version match?)` };
  }
  await activate('tensorflow');
  return { ok: true, choice: { backend: 'tensorflow', tfjsName: 'tensorflow', detail: detection.package } };
}

async function tryWebgpu(): Promise<Attempt> {
  const probe = await probeWebgpu();
  if (!probe.available) return { ok: false, reason: probe.reason };
  await registerWebgpuBackend(probe);
  await activate('webgpu');
  return { ok: true, choice: { backend: 'webgpu', tfjsName: 'webgpu', detail: probe.adapter } };
}

async function tryWasm(threads = 1): Promise<Attempt> {
  try {
    const kernels = await prepareWasm();
    if (threads === 1) await activate('wasm');
    // Imported only when asked for: it needs Node's fs and worker_threads, which a browser bundle lacks.
    else await (await import('./wasm/threads.js')).startThreadedWasm(threads, () => activate('wasm'));
    guardWasmHeap();
    const wasm = await describeWasm(kernels);
    const detail = `SIMD ${wasm.simd ? 'on' : 'off'}, ${wasm.threads} thread(s); alphaopt kernels added: ${kernels.added.join(', ') || 'none (already registered)'}; replaced for speed: ${kernels.replaced.join(', ') || 'none'}`;
    return { ok: true, choice: { backend: 'wasm', tfjsName: 'wasm', detail } };
  } catch (error) {
    return { ok: false, reason: `the wasm backend failed to start: ${error instanceof Error ? error.message : String(error)}` };
  }
}

async function tryCpu(): Promise<Attempt> {
  await activate('cpu');
  return { ok: true, choice: { backend: 'cpu', tfjsName: 'cpu', detail: 'pure JavaScript' } };
}

export function attemptBackend(backend: ConcreteBackend, options: SetupOptions = {}): Promise<Attempt> {
  switch (backend) {
    case 'tensorflow':
      return tryTensorflow(options.loadModule ?? importModule);
    case 'webgpu':
      return tryWebgpu();
    case 'wasm':
      return tryWasm(options.threads);
    case 'cpu':
      return tryCpu();
  }
}

/** The order `auto` tries; the reason each earlier one was skipped is reported. */
export const AUTO_ORDER: readonly ConcreteBackend[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

/**
 * Starts the requested backend and says what was chosen and why.
 * An explicit request that cannot be met throws `BackendUnavailableError` with the fix;
 * `auto` falls through tensorflow → webgpu (hardware adapters only) → wasm → cpu.
 */
export async function setupBackend(request: BackendRequest = 'auto', options: SetupOptions = {}): Promise<BackendChoice> {
  registerMissingGradients();
  registerFusedReluGradient();
  if (request !== 'auto') {
    const attempt = await attemptBackend(request, options);
    if (!attempt.ok) throw new BackendUnavailableError(request, attempt.reason);
    return { ...attempt.choice, requested: request, reason: `requested explicitly` };
  }
  const skipped: string[] = [];
  for (const backend of AUTO_ORDER) {
    const attempt = await attemptBackend(backend, options);
    if (attempt.ok) {
      const reason = skipped.length === 0 ? `${backend} is the fastest available` : `${backend} chosen; skipped ${skipped.join('; ')}`;
      return { ...attempt.choice, requested: 'auto', reason };
    }
    skipped.push(`${backend} (${attempt.reason})`);
  }
  throw new Error(`no tfjs backend could start: ${skipped.join('; ')}`);
}
