/**
 * Xu et al.'s two networks. The actor: a stacked LSTM (20 units × 2 layers) over
 * the state sequence, then η = η₀ · |w·h + b| — the absolute value keeps the
 * learning rate positive; b starts at 1 and w small, so an untrained actor gives
 * η ≈ η₀. The critic: an MLP with one hidden layer (10 units) estimating Q(s, a)
 * from the state and log η (the log makes the action scale-free).
 */
import * as tf from '@tensorflow/tfjs';
import { lstmCell, type LstmWeights } from '../lstm/cell.js';
import { applyMlp, createMlp, type MlpLayer } from '../policy/mlp.js';

export interface ActorWeights {
  layers: Array<LstmWeights & { [key: string]: tf.Tensor }>;
  head: { kernel: tf.Variable; bias: tf.Variable };
}

/** The actor's recurrent state per row: h and c of every layer, each [rows, units]. */
export interface ActorMemory {
  [key: string]: tf.Tensor[];
  h: tf.Tensor2D[];
  c: tf.Tensor2D[];
}

export type Make = (name: string, init: () => tf.Tensor) => tf.Variable;

export function createActor(inputs: number, units: number, layers: number, seed: number, make: Make): ActorWeights {
  const glorot = (shape: [number, number], k: number) => tf.initializers.glorotUniform({ seed: seed * 7919 + k }).apply(shape);
  return {
    layers: Array.from({ length: layers }, (_, l) => ({
      kernel: make(`actor/lstm${l}/kernel`, () => glorot([l === 0 ? inputs : units, 4 * units], 2 * l + 1)) as unknown as tf.Tensor2D,
      recurrent: make(`actor/lstm${l}/recurrent`, () => glorot([units, 4 * units], 2 * l + 2)) as unknown as tf.Tensor2D,
      bias: make(`actor/lstm${l}/bias`, () => tf.zeros([4 * units])) as unknown as tf.Tensor1D,
    })),
    head: {
      kernel: make('actor/head/kernel', () => tf.mul(glorot([units, 1], 99), 0.01)),
      bias: make('actor/head/bias', () => tf.ones([1])),
    },
  };
}

export function actorVariables(actor: ActorWeights): tf.Variable[] {
  return [...actor.layers.flatMap((l) => [l.kernel, l.recurrent, l.bias] as unknown as tf.Variable[]), actor.head.kernel, actor.head.bias];
}

export function zeroMemory(rows: number, units: number, layers: number): ActorMemory {
  return { h: Array.from({ length: layers }, () => tf.zeros([rows, units]) as tf.Tensor2D), c: Array.from({ length: layers }, () => tf.zeros([rows, units]) as tf.Tensor2D) };
}

/** One actor step: the state [rows, S] → η [rows, 1] and the next memory. */
export function actorStep(actor: ActorWeights, state: tf.Tensor2D, memory: ActorMemory, scale: number): { rate: tf.Tensor2D; memory: ActorMemory } {
  const h: tf.Tensor2D[] = [];
  const c: tf.Tensor2D[] = [];
  let x = state;
  actor.layers.forEach((weights, l) => {
    const next = lstmCell(x, memory.h[l]!, memory.c[l]!, weights);
    h.push(next.h);
    c.push(next.c);
    x = next.h;
  });
  const out = tf.add(tf.matMul(x, actor.head.kernel), actor.head.bias) as tf.Tensor2D;
  return { rate: tf.mul(tf.abs(out), scale) as tf.Tensor2D, memory: { h, c } };
}

export function createCritic(stateSize: number, hidden: number, seed: number, make: Make): MlpLayer[] {
  return createMlp([stateSize + 1, hidden, 1], seed + 31, 1, make, 'critic');
}

/** Q(s, a) per row: [rows]. */
export function criticValue(critic: readonly MlpLayer[], state: tf.Tensor2D, rate: tf.Tensor2D): tf.Tensor1D {
  const action = tf.log(tf.add(rate, 1e-12));
  return tf.reshape(applyMlp(critic, tf.concat([state, action], 1) as tf.Tensor2D), [-1]) as tf.Tensor1D;
}

export function criticVariables(critic: readonly MlpLayer[]): tf.Variable[] {
  return critic.flatMap((l) => [l.kernel, l.bias]);
}
