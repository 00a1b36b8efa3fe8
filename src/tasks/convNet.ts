/**
 * Small image networks written functionally over a flat parameter vector, so a
 * task can run many independent networks (one per run, as rows of [rows, D]) and
 * any update rule — hand-designed or learned — can optimize them as one batch of
 * coordinates. Each row is run by its own pass (weights differ per row); the
 * support sets of few-shot episodes and image minibatches are small enough.
 *
 * Batch norm uses the statistics of the batch it is given (as in MAML's
 * transductive setting), with learned scale and shift per channel.
 */
import * as tf from '@tensorflow/tfjs';

export type LayerSpec =
  | { type: 'conv'; size: number; filters: number; padding?: 'same' | 'valid' }
  | { type: 'batchNorm' }
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
      if ((spec.padding ?? 'same') === 'valid') [h, w] = [h - spec.size + 1, w - spec.size + 1];
      c = spec.filters;
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
  return {
    dimension,
    forward(theta, images) {
      let x: tf.Tensor = images;
      for (const { spec, slots } of plan) {
        if (spec.type === 'conv') x = tf.add(tf.conv2d(x as tf.Tensor4D, take(theta, slots[0]!) as tf.Tensor4D, 1, spec.padding ?? 'same'), take(theta, slots[1]!));
        else if (spec.type === 'batchNorm') {
          const { mean, variance } = tf.moments(x, [0, 1, 2]);
          x = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), take(theta, slots[0]!)), take(theta, slots[1]!));
        } else if (spec.type === 'relu') x = tf.relu(x);
        else if (spec.type === 'maxPool') x = tf.maxPool(x as tf.Tensor4D, spec.size, spec.size, 'valid');
        else if (spec.type === 'flatten') x = tf.reshape(x, [x.shape[0]!, -1]);
        else x = tf.add(tf.matMul(x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [x.shape[0]!, -1]), take(theta, slots[0]!) as tf.Tensor2D), take(theta, slots[1]!));
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
