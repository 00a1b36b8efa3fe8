/**
 * Small image networks written functionally over a flat parameter vector, so a
 * task can run many independent networks (one per run, as rows of [rows, D]) and
 * any update rule — hand-designed or learned — can optimize them as one batch of
 * coordinates. Each row is run by its own pass (weights differ per row); the
 * support sets of few-shot episodes and image minibatches are small enough.
 *
 * Batch norm uses the statistics of the batch it is given (as in MAML's
 * transductive setting), with learned scale and shift per channel.
 *
 * Besides plain sequential layers there is the basic residual block of He et
 * al.'s CIFAR ResNets (two 3×3 convs with batch norm, an identity shortcut, or a
 * 1×1 projection with batch norm where the stride or the width changes) and global
 * average pooling, so a small ResNet can be written as a flat list of specs too.
 */
import tf from '#tfjs';
import { batchNorm } from './batchNorm.js';

export type LayerSpec =
  | { type: 'conv'; size: number; filters: number; padding?: 'same' | 'valid'; stride?: number }
  | { type: 'batchNorm' }
  | { type: 'residual'; filters: number; stride?: number }
  | { type: 'globalAvgPool' }
  | { type: 'relu' }
  | { type: 'maxPool'; size: number }
  | { type: 'flatten' }
  | { type: 'dense'; units: number };

interface Slot {
  offset: number;
  shape: number[];
  /** Fan-in, for the initial scale (0: initialised to `fill`). */
  fanIn: number;
  fill: number;
}

export interface ConvNet {
  /** Parameters of one network. */
  dimension: number;
  /** Logits [batch, classes] of one network (parameters θ [D]) on images [batch, h, w, c]. */
  forward(theta: tf.Tensor1D, images: tf.Tensor4D): tf.Tensor2D;
  /** Initial parameters of one network: He-normal weights from `random()` normals, zero biases, unit BN scales. */
  initialize(normal: () => number): Float32Array;
}

/** Output size of a convolution along one axis, as tfjs computes it for 'same' and 'valid' padding. */
function convOut(size: number, kernel: number, stride: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;
}


export function convNet(input: [number, number, number], layers: LayerSpec[]): ConvNet {
  let [h, w, c] = input;
  let flat: number | undefined;
  let offset = 0;
  const plan: Array<{ spec: LayerSpec; slots: Slot[] }> = [];
  const slot = (shape: number[], fanIn: number, fill = 0): Slot => {
    const s = { offset, shape, fanIn, fill };
    offset += shape.reduce((a, b) => a * b, 1);
    return s;
  };
  for (const spec of layers) {
    if (spec.type === 'conv') {
      if (flat !== undefined) throw new Error('convNet: a conv layer cannot follow flatten');
      plan.push({ spec, slots: [slot([spec.size, spec.size, c, spec.filters], spec.size * spec.size * c), slot([spec.filters], 0)] });
      [h, w] = [convOut(h, spec.size, spec.stride ?? 1, spec.padding ?? 'same'), convOut(w, spec.size, spec.stride ?? 1, spec.padding ?? 'same')];
      c = spec.filters;
    } else if (spec.type === 'residual') {
      if (flat !== undefined) throw new Error('convNet: a residual block cannot follow flatten');
      const f = spec.filters;
      const stride = spec.stride ?? 1;
      // Convs without bias: the batch norm after each has its own shift.
      const slots = [slot([3, 3, c, f], 9 * c), slot([f], 0, 1), slot([f], 0), slot([3, 3, f, f], 9 * f), slot([f], 0, 1), slot([f], 0)];
      if (stride !== 1 || c !== f) slots.push(slot([1, 1, c, f], c), slot([f], 0, 1), slot([f], 0));
      plan.push({ spec, slots });
      [h, w] = [convOut(h, 3, stride, 'same'), convOut(w, 3, stride, 'same')];
      c = f;
    } else if (spec.type === 'globalAvgPool') {
      plan.push({ spec, slots: [] });
      flat = c;
    } else if (spec.type === 'batchNorm') {
      plan.push({ spec, slots: [slot([c], 0, 1), slot([c], 0)] });
    } else if (spec.type === 'maxPool') {
      plan.push({ spec, slots: [] });
      [h, w] = [Math.floor(h / spec.size), Math.floor(w / spec.size)];
    } else if (spec.type === 'flatten') {
      plan.push({ spec, slots: [] });
      flat = h * w * c;
    } else if (spec.type === 'dense') {
      const inputs = flat ?? h * w * c;
      plan.push({ spec, slots: [slot([inputs, spec.units], inputs), slot([spec.units], 0)] });
      flat = spec.units;
    } else {
      plan.push({ spec, slots: [] });
    }
    if (h < 1 || w < 1) throw new Error(`convNet: the feature map vanishes after ${JSON.stringify(spec)}`);
  }
  const dimension = offset;
  const take = (theta: tf.Tensor1D, s: Slot) => tf.reshape(tf.slice(theta, [s.offset], [s.shape.reduce((a, b) => a * b, 1)]), s.shape);
  const norm = (x: tf.Tensor, theta: tf.Tensor1D, scale: Slot, shift: Slot) => batchNorm(x, take(theta, scale), take(theta, shift));
  return {
    dimension,
    forward(theta, images) {
      let x: tf.Tensor = images;
      // Each layer in its own tidy: under a gradient tape the tensors the backward pass needs are kept by the
      // tape, and the rest of a layer's temporaries go at once instead of living until the whole forward ends.
      const layer = (spec: LayerSpec, slots: Slot[], x: tf.Tensor): tf.Tensor => {
        if (spec.type === 'conv') x = tf.add(tf.conv2d(x as tf.Tensor4D, take(theta, slots[0]!) as tf.Tensor4D, spec.stride ?? 1, spec.padding ?? 'same'), take(theta, slots[1]!));
        else if (spec.type === 'batchNorm') x = norm(x, theta, slots[0]!, slots[1]!);
        else if (spec.type === 'residual') {
          const [w1, g1, b1, w2, g2, b2, wp, gp, bp] = slots;
          const stride = spec.stride ?? 1;
          const inner = tf.relu(norm(tf.conv2d(x as tf.Tensor4D, take(theta, w1!) as tf.Tensor4D, stride, 'same'), theta, g1!, b1!));
          const branch = norm(tf.conv2d(inner as tf.Tensor4D, take(theta, w2!) as tf.Tensor4D, 1, 'same'), theta, g2!, b2!);
          const shortcut = wp === undefined ? x : norm(tf.conv2d(x as tf.Tensor4D, take(theta, wp) as tf.Tensor4D, stride, 'same'), theta, gp!, bp!);
          x = tf.relu(tf.add(branch, shortcut));
        } else if (spec.type === 'globalAvgPool') x = tf.mean(x, [1, 2]);
        else if (spec.type === 'relu') x = tf.relu(x);
        else if (spec.type === 'maxPool') x = tf.maxPool(x as tf.Tensor4D, spec.size, spec.size, 'valid');
        else if (spec.type === 'flatten') x = tf.reshape(x, [x.shape[0]!, -1]);
        else x = tf.add(tf.matMul(x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [x.shape[0]!, -1]), take(theta, slots[0]!) as tf.Tensor2D), take(theta, slots[1]!));
        return x;
      };
      for (const { spec, slots } of plan) {
        const input = x;
        x = tf.tidy(() => layer(spec, slots, input));
      }
      return x as tf.Tensor2D;
    },
    initialize(normal) {
      const out = new Float32Array(dimension);
      for (const { slots } of plan) {
        for (const s of slots) {
          const size = s.shape.reduce((a, b) => a * b, 1);
          for (let i = 0; i < size; i++) out[s.offset + i] = s.fanIn > 0 ? normal() * Math.sqrt(2 / s.fanIn) : s.fill;
        }
      }
      return out;
    },
  };
}

/** The standard few-shot backbone: four blocks of conv 3×3 (filters) → batch norm → ReLU → max-pool 2, then a linear head. */
export function fourBlockNet(classes: number, filters = 64, input: [number, number, number] = [28, 28, 1]): ConvNet {
  const block: LayerSpec[] = [{ type: 'conv', size: 3, filters }, { type: 'batchNorm' }, { type: 'relu' }, { type: 'maxPool', size: 2 }];
  return convNet(input, [...block, ...block, ...block, ...block, { type: 'flatten' }, { type: 'dense', units: classes }]);
}

/**
 * A small CIFAR ResNet in He et al.'s design (2016, section 4.2) with one basic
 * block per stage — ResNet-8: conv 3×3×w → BN → ReLU, blocks of w, 2w (stride 2)
 * and 4w (stride 2) filters, global average pooling, a linear head. With w = 16,
 * 78,058 parameters.
 */
export function resNet(classes: number, width = 16, input: [number, number, number] = [32, 32, 3]): ConvNet {
  return convNet(input, [
    { type: 'conv', size: 3, filters: width },
    { type: 'batchNorm' },
    { type: 'relu' },
    { type: 'residual', filters: width },
    { type: 'residual', filters: 2 * width, stride: 2 },
    { type: 'residual', filters: 4 * width, stride: 2 },
    { type: 'globalAvgPool' },
    { type: 'dense', units: classes },
  ]);
}
