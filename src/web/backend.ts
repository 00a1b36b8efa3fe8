/**
 * Starting a tfjs backend in a browser: webgpu, webgl, wasm or cpu. The wasm
 * backend gets AlphaOpt's training kernels (as in Node), and needs its .wasm files
 * served: pass `wasmPaths`, the URL of the folder that holds them.
 */
import tf from '#tfjs';
import { registerMissingGradients } from '../backend/gradients.js';
import { prepareWasm } from '../backend/wasm/index.js';

export type WebBackend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const WEB_BACKENDS: readonly WebBackend[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface WebBackendOptions {
  /**
   * URL of the folder holding tfjs-backend-wasm's .wasm files (ending in '/'), e.g.
   * copied from node_modules/@tensorflow/tfjs-backend-wasm/dist/. Without it tfjs
   * looks next to its own script, which a bundler usually breaks.
   */
  wasmPaths?: string;
}

export interface WebBackendChoice {
  backend: WebBackend;
  reason: string;
}

export class WebBackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebBackendError';
  }
}

async function activate(name: WebBackend): Promise<void> {
  let ok = false;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch {
    ok = false;
  }
  if (!ok || tf.getBackend() !== name) throw new WebBackendError(`tfjs could not start its '${name}' backend`);
}

async function start(name: WebBackend, options: WebBackendOptions): Promise<void> {
  switch (name) {
    case 'webgpu': {
      const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } } | undefined)?.gpu;
      if (gpu === undefined) throw new WebBackendError('this browser has no WebGPU (navigator.gpu is missing)');
      if ((await gpu.requestAdapter()) === null) throw new WebBackendError('WebGPU found no adapter (GPU disabled or blocked)');
      await import('@tensorflow/tfjs-backend-webgpu');
      return activate('webgpu');
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
      await prepareWasm();
      return activate('wasm').catch(() => {
        throw new WebBackendError(
          `the wasm backend did not start: its .wasm files were not found at ${options.wasmPaths ?? "tfjs's default location"}. ` +
            `Serve node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm from your site and pass { wasmPaths: '<their folder URL>/' }.`,
        );
      });
    }
    case 'webgl':
    case 'cpu':
      return activate(name);
  }
}

/**
 * Starts `request`, or with 'auto' the first of webgpu → webgl → wasm → cpu that
 * starts, and says why. Everything above runs unchanged on any of them; read
 * tensors with `await t.data()` (WebGPU cannot read synchronously without stalling).
 */
export async function setupWebBackend(request: WebBackend | 'auto' = 'auto', options: WebBackendOptions = {}): Promise<WebBackendChoice> {
  registerMissingGradients();
  if (request !== 'auto') {
    if (!WEB_BACKENDS.includes(request)) throw new WebBackendError(`unknown backend '${String(request)}'; choose one of ${WEB_BACKENDS.join(', ')} or auto`);
    await start(request, options);
    return { backend: request, reason: 'requested explicitly' };
  }
  const skipped: string[] = [];
  for (const backend of WEB_BACKENDS) {
    try {
      await start(backend, options);
      return { backend, reason: skipped.length === 0 ? `${backend} is the first available` : `${backend} chosen; skipped ${skipped.join('; ')}` };
    } catch (error) {
      skipped.push(`${backend} (${(error as Error).message})`);
    }
  }
  throw new WebBackendError(`no tfjs backend could start: ${skipped.join('; ')}`);
}
