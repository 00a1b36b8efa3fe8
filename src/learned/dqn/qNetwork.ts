/** The Q-network: an MLP from the 18 state features to one value per action (tanh hidden layers, linear output). */
import tf from '#tfjs';
import { applyMlp, createMlp, type MlpLayer } from '../policy/mlp.js';
import { FEATURE_COUNT } from './features.js';

/**
 * Layers 18 → hidden → actions, as tf.Variables named `q/layer<l>/kernel|bias`
 * (checkpoint names). A small last layer: the untrained Q-values are near 0,
 * the scale of the per-step rewards.
 */
export function createQNetwork(actions: number, hidden: readonly number[], seed: number): { layers: MlpLayer[]; variables: Map<string, tf.Variable> } {
  const tag = Math.random().toString(36).slice(2);
  const variables = new Map<string, tf.Variable>();
  const make = (name: string, init: () => tf.Tensor) => {
    const initial = tf.tidy(init);
    const v = tf.variable(initial, true, `dqn-controller/${name}/${tag}`);
    initial.dispose(); // the variable holds its own reference to the data
    variables.set(name, v);
    return v;
  };
  const layers = createMlp([FEATURE_COUNT, ...hidden, actions], seed, 0.1, make, 'q');
  return { layers, variables };
}

/** Q(s, ·): [batch, actions]. */
export function qValues(layers: readonly MlpLayer[], features: tf.Tensor2D): tf.Tensor2D {
  return applyMlp(layers, features);
}

/** A frozen copy of `layers` (the target network): its own non-trainable variables. */
export function copyLayers(layers: readonly MlpLayer[]): MlpLayer[] {
  return layers.map((l) => ({ kernel: tf.variable(l.kernel, false), bias: tf.variable(l.bias, false) }));
}

/** target ← online. */
export function assignLayers(target: readonly MlpLayer[], source: readonly MlpLayer[]): void {
  target.forEach((l, i) => {
    l.kernel.assign(source[i]!.kernel);
    l.bias.assign(source[i]!.bias);
  });
}

export function layerVariables(layers: readonly MlpLayer[]): tf.Variable[] {
  return layers.flatMap((l) => [l.kernel, l.bias]);
}
