/**
 * Gradients tfjs does not define, registered for every backend. Second-order
 * paths need them — and so does first-order BPTT through a conv net: tfjs walks
 * every recorded operation between the meta-parameters and the meta-loss, even
 * where a stop-gradient has made the incoming gradient zero.
 *
 * Conv2DBackpropFilter(x, dy) = Σ x ⋆ dy is bilinear in (x, dy): against an
 * upstream gradient ddw its derivatives are the transposed convolution of dy by
 * ddw (for x) and the convolution of x by ddw (for dy).
 *
 * MaxPoolGrad(dy, input, output) routes each window's dy to the window's (first)
 * maximum: it is linear in dy, and its derivative for dy gathers the upstream
 * gradient at those positions; for input and output it is zero almost everywhere.
 * Registered for non-overlapping windows (stride = window, 'valid'), the pooling of
 * the few-shot and image networks here.
 */
import tf from '#tfjs';

interface Conv2DAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
}

const pair = (v: [number, number] | number): [number, number] => (typeof v === 'number' ? [v, v] : v);

/** 1 at the first maximum (row-major) of each k×k window of `input`, 0 elsewhere: [b, H'k, W'k, c]. */
function firstMaxMask(input: tf.Tensor4D, output: tf.Tensor4D, k: number): tf.Tensor4D {
  const [b, h, w, c] = output.shape;
  const crop = tf.slice(input, [0, 0, 0, 0], [b, h * k, w * k, c]);
  const windows = tf.transpose(tf.reshape(crop, [b, h, k, w, k, c]), [0, 1, 3, 5, 2, 4]);
  const isMax = tf.cast(tf.equal(tf.reshape(windows, [b, h, w, c, k * k]), tf.expandDims(output, 4)), 'float32');
  const first = tf.mul(isMax, tf.cast(tf.equal(tf.cumsum(isMax, 4), 1), 'float32'));
  return tf.reshape(tf.transpose(tf.reshape(first, [b, h, w, c, k, k]), [0, 1, 4, 2, 5, 3]), [b, h * k, w * k, c]) as tf.Tensor4D;
}

function registerMaxPoolGradGradient(): void {
  tf.registerGradient({
    kernelName: 'MaxPoolGrad',
    inputsToSave: ['dy', 'input', 'output'],
    gradFunc: (ddx, saved, attrs) => {
      const [, input, output] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const { filterSize, strides, pad } = attrs as unknown as PoolAttrs;
      const [k, k2] = pair(filterSize);
      const [s, s2] = pair(strides);
      if (!(k === k2 && s === k && s2 === k && pad === 'valid')) {
        throw new Error('the gradient of MaxPoolGrad is registered for square non-overlapping windows (stride = window) with padding "valid"');
      }
      return {
        dy: () => {
          const [b, h, w, c] = output.shape;
          const mask = firstMaxMask(input, output, k);
          const picked = tf.mul(tf.slice(ddx as tf.Tensor4D, [0, 0, 0, 0], [b, h * k, w * k, c]), mask);
          return tf.sum(tf.reshape(picked, [b, h, k, w, k, c]), [2, 4]);
        },
        input: () => tf.zerosLike(input),
        output: () => tf.zerosLike(output),
      };
    },
  });
}

export function registerMissingGradients(): void {
  if (tf.getGradient('MaxPoolGrad') === undefined) registerMaxPoolGradGradient();
  if (tf.getGradient('Conv2DBackpropFilter') !== undefined) return;
  tf.registerGradient({
    kernelName: 'Conv2DBackpropFilter',
    inputsToSave: ['x', 'dy'],
    gradFunc: (ddw, saved, attrs) => {
      const [x, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as Conv2DAttrs;
      if (dataFormat !== 'NHWC') throw new Error('the gradient of Conv2DBackpropFilter is registered for NHWC only');
      if (typeof pad === 'number') throw new Error('the gradient of Conv2DBackpropFilter needs pad "same" or "valid"');
      const filter = ddw as tf.Tensor4D;
      return {
        x: () => tf.conv2dTranspose(dy, filter, x.shape as [number, number, number, number], strides, pad, dimRoundingMode),
        dy: () => tf.conv2d(x, filter, strides, pad, 'NHWC', 1, dimRoundingMode),
      };
    },
  });
}
