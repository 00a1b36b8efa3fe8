/**
 * The wasm backend (XNNPACK, SIMD) with alphaopt's training kernels added.
 */
import tf from '#tfjs';
import { registerWasmTrainingKernels, type WasmKernelChanges } from './registerTrainingKernels.js';

export interface WasmSetup {
  /** Kernels alphaopt registered (missing from tfjs-backend-wasm) or replaced (too slow there). */
  kernels: WasmKernelChanges;
  simd: boolean;
  threads: number;
}

/** Loads the wasm backend module (registering the `wasm` factory) and alphaopt's kernels. */
export async function prepareWasm(): Promise<WasmKernelChanges> {
  await import('@tensorflow/tfjs-backend-wasm');
  return registerWasmTrainingKernels();
}

/** Call after `tf.setBackend('wasm')` has resolved. */
export async function describeWasm(kernels: WasmKernelChanges): Promise<WasmSetup> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  return { kernels, simd, threads: wasm.getThreadsCount() };
}
