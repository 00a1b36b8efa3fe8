/**
 * The LSTM optimizer of Andrychowicz et al. (2016), "Learning to learn by
 * gradient descent by gradient descent": a coordinate-wise two-layer LSTM whose
 * weights are shared by every coordinate while each coordinate keeps its own
 * hidden state. All coordinates of all parameter tensors (and of all batched
 * runs) go through the network as one batch. Input: the preprocessed gradient;
 * output: the update itself, θ ← θ + outputScale · (W·h + b).
 */
import * as tf from '@tensorflow/tfjs';
import { metaTrain } from '../../meta/metaTrain.js';
import type { UpdateRule } from '../../rules/index.js';
import { learnedTfjsOptimizer } from '../tfjsOptimizer.js';
import type { TaskFamily } from '../../tasks/types.js';
import { registerLearnedOptimizer } from '../kinds.js';
import type { JsonValue, LearnedOptimizer, MetaTrainReport, ProgressCallback } from '../types.js';
import { lstmCell, type LstmWeights } from './cell.js';
import { preprocessGradient } from './preprocess.js';

export interface LstmOptions {
  hidden: number;
  layers: number;
  /** The update is outputScale · (W·h + b); the reference code's MNIST config uses 0.01. */
  outputScale: number;
  /** p of the gradient preprocessing (the paper writes p = 10; the reference code's LogAndSign uses k = 5). */
  preprocessP: number;
  /** Seed of the weight initialisation. */
  seed: number;
}

// The reference code's (deepmind/learning-to-learn) settings: two layers of 20, scale 0.01, LogAndSign k = 5.
const DEFAULTS: LstmOptions = { hidden: 20, layers: 2, outputScale: 0.01, preprocessP: 5, seed: 0 };

/** Meta-training as the reference code: Adam 1e-3 and no clipping of the meta-gradient (a suite's config overrides either). */
export const LSTM_META_TRAIN_DEFAULTS = { metaLearningRate: 0.001, clipNorm: 0 };

function decode(hyperParams: Record<string, JsonValue>): LstmOptions {
  const unknown = Object.keys(hyperParams).filter((k) => !(k in DEFAULTS));
  if (unknown.length > 0) throw new Error(`lstm.${unknown[0]}: unknown option; expected one of ${Object.keys(DEFAULTS).join(', ')}`);
  const o = { ...DEFAULTS, ...hyperParams } as Record<string, JsonValue>;
  for (const key of Object.keys(DEFAULTS)) {
    if (typeof o[key] !== 'number' || !Number.isFinite(o[key] as number)) throw new Error(`lstm.${key}: expected a number, got ${JSON.stringify(o[key])}`);
  }
  for (const key of ['hidden', 'layers'] as const) {
    if (!Number.isInteger(o[key]) || (o[key] as number) < 1) throw new Error(`lstm.${key}: expected a positive integer, got ${JSON.stringify(o[key])}`);
  }
  return o as unknown as LstmOptions;
}

type LstmState = { h: tf.Tensor[]; c: tf.Tensor[] };

/** Coordinates per pass of the LSTM's update; more are run in slices of this many. */
export const LSTM_CHUNK = 1 << 18;

export class LstmOptimizer implements LearnedOptimizer {
  readonly kind = 'lstm';
  readonly version = 1;
  readonly hyperParams: Record<string, JsonValue>;
  readonly metaParams: ReadonlyMap<string, tf.Variable>;
  private readonly options: LstmOptions;
  private readonly layers: Array<{ kernel: tf.Variable; recurrent: tf.Variable; bias: tf.Variable }>;
  private readonly outputKernel: tf.Variable;
  private readonly outputBias: tf.Variable;

  constructor(hyperParams: Record<string, JsonValue> = {}) {
    this.options = decode(hyperParams);
    this.hyperParams = { ...this.options };
    const { hidden, layers, seed } = this.options;
    const tag = Math.random().toString(36).slice(2);
    const params = new Map<string, tf.Variable>();
    const make = (name: string, init: () => tf.Tensor) => {
      const initial = tf.tidy(init);
      const v = tf.variable(initial, true, `lstm/${name}/${tag}`);
      initial.dispose(); // the variable holds its own reference to the data
      params.set(name, v);
      return v;
    };
    this.layers = Array.from({ length: layers }, (_, l) => ({
      kernel: make(`layer${l}/kernel`, () => tf.initializers.glorotUniform({ seed: seed * 101 + 3 * l + 1 }).apply([l === 0 ? 2 : hidden, 4 * hidden])),
      recurrent: make(`layer${l}/recurrent`, () => tf.initializers.orthogonal({ seed: seed * 101 + 3 * l + 2, gain: 1 }).apply([hidden, 4 * hidden])),
      bias: make(`layer${l}/bias`, () => tf.zeros([4 * hidden])),
    }));
    // A small output layer: the untrained optimizer takes small steps.
    this.outputKernel = make('output/kernel', () => tf.mul(tf.initializers.glorotUniform({ seed: seed * 101 + 99 }).apply([hidden, 1]), 0.1));
    this.outputBias = make('output/bias', () => tf.zeros([1]));
    this.metaParams = params;
  }

  /** `chunk`: coordinates per pass (default LSTM_CHUNK); the result does not depend on it. */
  rule(options: { chunk?: number } = {}): UpdateRule<LstmState> {
    const { hidden, outputScale, preprocessP } = this.options;
    const chunk = options.chunk ?? LSTM_CHUNK;
    return {
      init: (params) => {
        const n = params.reduce((sum, p) => sum + p.size, 0);
        return { h: this.layers.map(() => tf.zeros([n, hidden])), c: this.layers.map(() => tf.zeros([n, hidden])) };
      },
      update: ({ grads }, state) => {
        const flat = grads.length === 1 ? tf.reshape(grads[0]!, [-1]) : tf.concat(grads.map((g) => tf.reshape(g, [-1])));
        // Every coordinate is independent: one pass over all of them, or over slices of them.
        const step = (g: tf.Tensor1D, hs: tf.Tensor[], cs: tf.Tensor[]) => {
          let x: tf.Tensor2D = preprocessGradient(g, preprocessP);
          const h: tf.Tensor[] = [];
          const c: tf.Tensor[] = [];
          this.layers.forEach((layer, l) => {
            const next = lstmCell(x, hs[l] as tf.Tensor2D, cs[l] as tf.Tensor2D, layer as unknown as LstmWeights);
            h.push(next.h);
            c.push(next.c);
            x = next.h;
          });
          return { out: tf.mul(tf.add(tf.matMul(x, this.outputKernel), this.outputBias), outputScale), h, c };
        };
        const n = flat.shape[0]!;
        let result: { out: tf.Tensor; h: tf.Tensor[]; c: tf.Tensor[] };
        if (n <= chunk) result = step(flat as tf.Tensor1D, state.h, state.c);
        else {
          // Big optimizees (a 1.6M-parameter CNN): the gates of all coordinates at once would
          // need gigabytes (wasm's heap is 4 GiB), so run slices and free each slice's temporaries.
          const parts: Array<{ out: tf.Tensor; h: tf.Tensor[]; c: tf.Tensor[] }> = [];
          for (let from = 0; from < n; from += chunk) {
            const size = Math.min(chunk, n - from);
            const slice = (t: tf.Tensor) => tf.slice(t, [from, 0], [size, -1]);
            parts.push(tf.tidy(() => step(tf.slice(flat, [from], [size]) as tf.Tensor1D, state.h.map(slice), state.c.map(slice))));
          }
          result = {
            out: tf.concat(parts.map((p) => p.out)),
            h: this.layers.map((_, l) => tf.concat(parts.map((p) => p.h[l]!))),
            c: this.layers.map((_, l) => tf.concat(parts.map((p) => p.c[l]!))),
          };
          tf.dispose(parts.flatMap((p) => [p.out, ...p.h, ...p.c]));
        }
        const { out, h, c } = result;
        const sizes = grads.map((g) => g.size);
        const pieces = grads.length === 1 ? [out] : tf.split(out, sizes, 0);
        return { updates: pieces.map((piece, i) => tf.reshape(piece, grads[i]!.shape)), state: { h, c } };
      },
    };
  }

  metaTrain(family: TaskFamily, config: Record<string, JsonValue>, onProgress?: ProgressCallback): Promise<MetaTrainReport> {
    return metaTrain(this, family, config, onProgress, LSTM_META_TRAIN_DEFAULTS);
  }

  toTfjsOptimizer(options: { mode: 'frozen' | 'online' }): tf.Optimizer {
    if (options.mode === 'online') {
      throw new Error("the LSTM optimizer has no online mode (its meta-training needs unrolls over many tasks); use { mode: 'frozen' }");
    }
    return learnedTfjsOptimizer(this, 'frozen');
  }

  dispose(): void {
    tf.dispose([...this.metaParams.values()]);
  }
}

registerLearnedOptimizer('lstm', (hyperParams) => new LstmOptimizer(hyperParams));
