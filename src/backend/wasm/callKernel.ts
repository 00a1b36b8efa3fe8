/**
 * Helpers for writing wasm kernels out of other wasm kernels.
 *
 * A kernel receives raw `TensorInfo`s and must return raw `TensorInfo`s; calling
 * public `tf.*` ops from inside a kernel would create tracked tensors (and would
 * be invisible to the gradient tape anyway). So composite kernels call the
 * registered kernel functions of the same backend directly and free every
 * intermediate buffer themselves.
 */
import tf from '#tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type TensorInfo = tf.TensorInfo;
export type Attrs = tf.NamedAttrMap;

export function callWasmKernel(
  backend: BackendWasm,
  kernelName: string,
  inputs: Record<string, TensorInfo>,
  attrs: Attrs = {},
): TensorInfo {
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (kernel === undefined) {
    throw new Error(`wasm kernel '${kernelName}' is not registered; alphaopt's composite kernel needs it`);
  }
  const out = kernel.kernelFunc({ inputs, attrs, backend });
  if (Array.isArray(out)) {
    throw new Error(`wasm kernel '${kernelName}' returned several outputs where one was expected`);
  }
  return out as TensorInfo;
}

/** Where a tensor's data starts in the wasm module's memory (a byte offset): what AlphaOpt's SIMD kernels take. */
export function heapOffset(backend: BackendWasm, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}

/** Whole images per chunk of a chunked pass: as many as fit in `chunkBytes` (at least one, at most the batch). */
export function imagesPerChunk(chunkBytes: number, bytesPerImage: number, batchSize: number): number {
  return Math.max(1, Math.min(batchSize, Math.floor(chunkBytes / bytesPerImage)));
}

/** Frees intermediate buffers made inside a composite kernel. */
export function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

export function transposeInfo(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return callWasmKernel(backend, 'Transpose', { x }, { perm });
}
