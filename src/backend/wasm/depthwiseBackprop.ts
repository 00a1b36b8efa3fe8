/**
 * Depthwise-convolution gradients for the wasm backend, which ships the forward
 * kernel only. Written as direct loops over the wasm heap: depthwise layers are
 * memory-bound and small next to dense convolutions, so clarity wins over a
 * reformulation here.
 */
import tf from '#tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from './callKernel.js';

interface DepthwiseAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function depthwiseInfo(xShape: number[], filterShape: number[], attrs: DepthwiseAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
}

/**
 * Visits every (input element, filter element, output element) triple of a
 * depthwise convolution once; both gradients are sums over these triples.
 */
function forEachTap(
  info: tf.backend_util.Conv2DInfo,
  visit: (xIndex: number, wIndex: number, yIndex: number) => void,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const multiplier = outChannels / inChannels;
  const { top, left } = info.padInfo;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const yBase = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let fh = 0; fh < filterHeight; fh++) {
          const h = oh * strideHeight + fh * dilationHeight - top;
          if (h < 0 || h >= inHeight) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const w = ow * strideWidth + fw * dilationWidth - left;
            if (w < 0 || w >= inWidth) continue;
            const xBase = ((b * inHeight + h) * inWidth + w) * inChannels;
            const wBase = (fh * filterWidth + fw) * outChannels;
            for (let c = 0; c < inChannels; c++) {
              for (let m = 0; m < multiplier; m++) {
                const k = c * multiplier + m;
                visit(xBase + c, wBase + k, yBase + k);
              }
            }
          }
        }
      }
    }
  }
}

export function depthwiseBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseAttrs & { filterShape: [number, number, number, number] };
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const info = depthwiseInfo(inputs.x.shape, attrs.filterShape, attrs);
  const out = backend.makeOutput(attrs.filterShape, 'float32');
  // Views are taken after allocating: allocation may grow (and detach) the heap.
  const dW = backend.typedArrayFromHeap(out) as Float32Array;
  const x = backend.typedArrayFromHeap(inputs.x) as Float32Array;
  const dy = backend.typedArrayFromHeap(inputs.dy) as Float32Array;
  dW.fill(0);
  forEachTap(info, (xi, wi, yi) => {
    dW[wi] = (dW[wi] as number) + (x[xi] as number) * (dy[yi] as number);
  });
  return out;
}

export function depthwiseBackpropInputWasm(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseAttrs & { inputShape: [number, number, number, number] };
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const info = depthwiseInfo(attrs.inputShape, inputs.filter.shape, attrs);
  const out = backend.makeOutput(attrs.inputShape, 'float32');
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  const filter = backend.typedArrayFromHeap(inputs.filter) as Float32Array;
  const dy = backend.typedArrayFromHeap(inputs.dy) as Float32Array;
  dx.fill(0);
  forEachTap(info, (xi, wi, yi) => {
    dx[xi] = (dx[xi] as number) + (filter[wi] as number) * (dy[yi] as number);
  });
  return out;
}
