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

/**
 * Cast for wasm: to the dtype a tensor already has, sharing its buffer as Identity does (tfjs's cpu backend does the
 * same; the wasm backend copied it: ReLU's gradient casts Step's float32 output to float32, 7 copies of activations
 * in a ResNet-8 step); to bool, x ≠ 0 as on cpu (the wasm kernel stored each number's low byte: −2.25 became 254,
 * 0.5 and 256 false).
 */
export function castSharingBuffer(original: tf.KernelFunc) {
  const identity = identitySharingBuffer(original);
  return (args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: { dtype: tf.DataType } }): TensorInfo => {
    const { inputs: { x }, backend, attrs: { dtype } } = args;
    if (x.dtype === dtype) return identity(args);
    if (dtype !== 'bool' || (x.dtype !== 'float32' && x.dtype !== 'int32')) return original(args as never) as TensorInfo;
    const out = backend.makeOutput([...x.shape], 'bool');
    // Views after the allocation: growing the heap detaches earlier ones.
    const from = backend.typedArrayFromHeap(x);
    const to = backend.typedArrayFromHeap(out);
    for (let i = 0; i < from.length; i++) to[i] = from[i] !== 0 ? 1 : 0;
    return out;
  };
}
