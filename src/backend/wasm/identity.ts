/**
 * Identity for wasm that shares the input's buffer (one more reference) instead of copying it.
 *
 * Gradients pass tensors through Identity all the time (265 calls in one ResNet-8 step, copying ~57 ms of
 * data). tfjs's cpu backend and the wasm backend's own Reshape already share buffers by reference count;
 * no wasm kernel writes into its inputs, so a shared buffer is never changed under a reader.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from './callKernel.js';

export function identitySharingBuffer(original: tf.KernelFunc) {
  return (args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs?: tf.NamedAttrMap }): TensorInfo => {
    const { inputs, backend } = args;
    const { x } = inputs;
    if (x.dtype === 'string') return original(args as never) as TensorInfo;
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}
