/**
 * tfjs-backend-wasm's threaded SIMD build under Node (XNNPACK with N threads for one kernel).
 *
 * tfjs switches the build off in Node (tfjs issue 3830). Four things stand in the way, each handled here:
 *   1. Emscripten starts its pthread workers from a `blob:` URL, which Node's worker_threads refuses
 *      (ERR_WORKER_PATH): the worker script is written to a temporary file and started from there;
 *   2. the workers are sent the main script as a Blob, which they cannot import under Node: the worker
 *      file points them at the factory script on disk;
 *   3. XNNPACK sizes its pool as os.cpus().length / 2 (it assumes two hardware threads per core): while
 *      the module starts, os.cpus reports 2 × threads;
 *   4. Emscripten refs a worker while it runs a pthread, and XNNPACK's pool threads never return, so
 *      the process would never exit by itself: the workers stay unref'd (the main thread waits for them
 *      inside each kernel anyway).
 * Browsers need none of this, but need cross-origin isolation for SharedArrayBuffer; not handled here.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import workerThreads from 'node:worker_threads';
import tf from '#tfjs';

/** XNNPACK pre-creates this many workers in tfjs-backend-wasm's threaded build. */
export const MAX_WASM_THREADS = 8;

let installedWorkerFile: string | undefined;

/** Routes Emscripten's blob: workers to a file on disk (1, 2) and keeps them from holding the process open (4). */
function installWorkerShim(): void {
  if (installedWorkerFile !== undefined) return;
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const factoryFile = path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  const prologue =
    "const port = require('worker_threads').parentPort; const on = port.on.bind(port);\n" +
    `port.on = (event, listener) => on(event, event !== 'message' ? listener : (data) => { if (data && data.cmd === 'load' && typeof data.urlOrBlob !== 'string') data.urlOrBlob = ${JSON.stringify(factoryFile)}; listener(data); });\n`;
  const workerFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'alphaopt-wasm-threads-')), 'worker.cjs');
  // tfjs makes its Blob from a template literal that turned the script's \n escapes into newlines; undo that.
  writeFileSync(workerFile, prologue + wasmWorkerContents.replace(/\n/g, '\\n'));
  const Original = workerThreads.Worker;
  (workerThreads as { Worker: typeof Original }).Worker = class extends Original {
    constructor(file: string | URL, options?: workerThreads.WorkerOptions) {
      const fromBlob = typeof file === 'string' && file.startsWith('blob:');
      super(fromBlob ? workerFile : file, options);
      if (fromBlob) {
        this.unref();
        this.ref = () => undefined;
      }
    }
  };
  installedWorkerFile = workerFile;
}

/**
 * Makes the next start of the wasm backend use the threaded build with `threads` threads, then runs
 * `start` (which must start it) with os.cpus reporting enough cores for XNNPACK to make that many.
 */
export async function startThreadedWasm<T>(threads: number, start: () => Promise<T>): Promise<T> {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new Error(`wasm threads must be an integer from 1 to ${MAX_WASM_THREADS} (tfjs-backend-wasm pre-creates ${MAX_WASM_THREADS} workers), got ${threads}`);
  }
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (threads === 1) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    return start();
  }
  if (typeof process === 'undefined' || process.versions?.node === undefined) {
    throw new Error('wasm threads are set up for Node only; in a browser, serve the page cross-origin isolated and let tfjs pick its threaded build');
  }
  installWorkerShim();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  const cpus = os.cpus;
  const one = cpus()[0] ?? ({ model: 'unknown', speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } } satisfies os.CpuInfo);
  (os as { cpus: () => os.CpuInfo[] }).cpus = () => Array.from({ length: 2 * threads }, () => one);
  try {
    return await start();
  } finally {
    (os as { cpus: () => os.CpuInfo[] }).cpus = cpus;
  }
}
