/**
 * Xu et al.'s two networks (actions are [rows, A]: η, and β₁ when the actor also controls Adam's momentum). The actor: a stacked LSTM (20 units × 2 layers) over
 * the state sequence, then η = η₀ · |w·h + b| — the absolute value keeps the
 * learning rate positive; b starts at 1 and w small, so an untrained actor gives
 * η ≈ η₀. The critic: an MLP with one hidden layer (10 units) estimating Q(s, a)
 * from the state and log η (the log makes the action scale-free).
 */
import tf from '#tfjs';
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

export function createActor(inputs: number, units: number, layers: number, seed: number, make: Make, actions = 1): ActorWeights {
  const glorot = (shape: [number, number], k: number) => tf.initializers.glorotUniform({ seed: seed * 7919 + k }).apply(shape);
  return {
    layers: Array.from({ length: layers }, (_, l) => ({
      kernel: make(`actor/lstm${l}/kernel`, () => glorot([l === 0 ? inputs : units, 4 * units], 2 * l + 1)) as unknown as tf.Tensor2D,
      recurrent: make(`actor/lstm${l}/recurrent`, () => glorot([units, 4 * units], 2 * l + 2)) as unknown as tf.Tensor2D,
      bias: make(`actor/lstm${l}/bias`, () => tf.zeros([4 * units])) as unknown as tf.Tensor1D,
    })),
    head: {
      kernel: make('actor/head/kernel', () => tf.mul(glorot([units, actions], 99), 0.01)),
      // η starts at the scale (|1|); β₁ at sigmoid(0 + logit 0.9) = 0.9.
      bias: make('actor/head/bias', () => tf.tensor1d([1, ...Array.from({ length: actions - 1 }, () => 0)])),
    },
  };
}

export function actorVariables(actor: ActorWeights): tf.Variable[] {
  return [...actor.layers.flatMap((l) => [l.kernel, l.recurrent, l.bias] as unknown as tf.Variable[]), actor.head.kernel, actor.head.bias];
}

export function zeroMemory(rows: number, units: number, layers: number): ActorMemory {
  return { h: Array.from({ length: layers }, () => tf.zeros([rows, units]) as tf.Tensor2D), c: Array.from({ length: layers }, () => tf.zeros([rows, units]) as tf.Tensor2D) };
}

const BETA1_LOGIT = Math.log(0.9 / 0.1);

/** One actor step: the state [rows, S] → the action [rows, A] (η = scale·|o₀|, β₁ = σ(o₁ + logit 0.9)) and the next memory. */
export function actorStep(actor: ActorWeights, state: tf.Tensor2D, memory: ActorMemory, scale: number): { action: tf.Tensor2D; memory: ActorMemory } {
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
  const rate = tf.mul(tf.abs(tf.slice(out, [0, 0], [-1, 1])), scale) as tf.Tensor2D;
  if (out.shape[1] === 1) return { action: rate, memory: { h, c } };
  const beta1 = tf.sigmoid(tf.add(tf.slice(out, [0, 1], [-1, 1]), BETA1_LOGIT));
  return { action: tf.concat([rate, beta1], 1) as tf.Tensor2D, memory: { h, c } };
}

export function createCritic(stateSize: number, hidden: number, seed: number, make: Make, actions = 1): MlpLayer[] {
  return createMlp([stateSize + actions, hidden, 1], seed + 31, 1, make, 'critic');
}

/** Q(s, a) per row: [rows]. The critic sees log η (scale-free) and β₁ as it is. */
export function criticValue(critic: readonly MlpLayer[], state: tf.Tensor2D, action: tf.Tensor2D): tf.Tensor1D {
  const logRate = tf.log(tf.add(tf.slice(action, [0, 0], [-1, 1]), 1e-12));
  const seen = action.shape[1] === 1 ? [state, logRate] : [state, logRate, tf.slice(action, [0, 1], [-1, -1])];
  return tf.reshape(applyMlp(critic, tf.concat(seen, 1) as tf.Tensor2D), [-1]) as tf.Tensor1D;
}

export function criticVariables(critic: readonly MlpLayer[]): tf.Variable[] {
  return critic.flatMap((l) => [l.kernel, l.bias]);
}
