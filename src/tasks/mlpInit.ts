/**
 * Initial parameters of the flat-vector MLPs (mnistMlp). 'glorot': Glorot-uniform weights, zero biases (Keras's
 * default). 'reference': weights AND biases from N(0, 0.01²), the initialisation of deepmind/learning-to-learn's
 * MNIST problem (problems.py, `_nn_initializers`) — with it a sigmoid MLP starts near the 2.30 plateau, which
 * changes which optimizer wins the paper's comparison.
 */
import { normals } from '../random.js';

export type MlpInit = 'glorot' | 'reference';
export const MLP_INITS: readonly MlpInit[] = ['glorot', 'reference'];

/** The standard deviation of the reference initialisation. */
export const REFERENCE_INIT_STD = 0.01;

export interface MlpLayerLayout {
  inputs: number;
  outputs: number;
  /** Where the layer's weights start in the flat vector (its biases follow them). */
  offset: number;
}

/** Writes one run's initial parameters into `out` at `at`, drawing from `random`. */
export function initMlp(kind: MlpInit, layers: readonly MlpLayerLayout[], random: () => number, out: Float32Array, at: number): void {
  for (const layer of layers) {
    const weights = layer.inputs * layer.outputs;
    if (kind === 'reference') {
      const values = normals(random, weights + layer.outputs);
      for (let k = 0; k < values.length; k++) out[at + layer.offset + k] = REFERENCE_INIT_STD * values[k]!;
    } else {
      const limit = Math.sqrt(6 / (layer.inputs + layer.outputs));
      for (let k = 0; k < weights; k++) out[at + layer.offset + k] = (2 * random() - 1) * limit;
    }
  }
}
