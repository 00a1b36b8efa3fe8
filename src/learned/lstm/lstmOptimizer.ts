/**
 * The LSTM optimizer of Andrychowicz et al. (2016), "Learning to learn by
 * gradient descent by gradient descent": a coordinate-wise two-layer LSTM whose
 * weights are shared by every coordinate while each coordinate keeps its own
 * hidden state. All coordinates of all parameter tensors (and of all batched
 * runs) go through the network as one batch. Input: the preprocessed gradient;
 * output: the update itself, θ ← θ + outputScale · (W·h + b).
 */
import tf from '#tfjs';
import type * as t from 'io-ts';
import { decodeOrThrow } from '../../codec/decode.js';
import { options } from '../../codec/strict.js';
import * as values from '../../codec/values.js';
import type { UpdateRule } from '../../rules/index.js';
import { cloneLearned } from '../clone.js';
import { registerLearnedOptimizer } from '../kinds.js';
import type { JsonValue, LearnedOptimizer } from '../types.js';
import { lstmCell, type LstmWeights } from './cell.js';
import { preprocessGradient } from './preprocess.js';
import { coordinateSlice, mapCoordinateSlices, type CoordinateCost } from '../coordinateSlices.js';

/** The options, declared once: types, ranges and defaults (suites, checkpoints and the constructor decode with it). */
export const LSTM_OPTIONS = options(
  'lstm options',
  {
    hidden: values.positiveInt,
    layers: values.positiveInt,
    /** The update is outputScale · (W·h + b); the reference code's MNIST config uses 0.01. */
    outputScale: values.finite,
    /** p of the gradient preprocessing (the paper writes p = 10; the reference code's LogAndSign uses k = 5). */
    preprocessP: values.finite,
    /** Seed of the weight initialisation. */
    seed: values.finite,
  },
  // The reference code's (deepmind/learning-to-learn) settings: two layers of 20, scale 0.01, LogAndSign k = 5.
  { hidden: 20, layers: 2, outputScale: 0.01, preprocessP: 5, seed: 0 },
);
export type LstmOptions = t.TypeOf<typeof LSTM_OPTIONS>;

/** Meta-training as the reference code: Adam 1e-3 and no clipping of the meta-gradient (a suite's config overrides either). */
export const LSTM_META_TRAIN_DEFAULTS = { metaLearningRate: 0.001, clipNorm: 0 };

type LstmState = { h: tf.Tensor[]; c: tf.Tensor[] };

/**
 * Per-coordinate temporaries of one update (float32): per layer the four [·, 4·hidden] gate products and sums,
 * about a dozen [·, hidden] gate activations and products, and the new h and c.
 */
const lstmCost = (hidden: number): CoordinateCost => ({ bytesPerCoordinate: 4 * 2 * (4 * 4 * hidden + 14 * hidden), widestRowBytes: 4 * 4 * hidden });

export class LstmOptimizer implements LearnedOptimizer {
  /** Its rule is differentiable in φ: truncated BPTT (the paper) and ES train it. */
  readonly differentiable = true;
  readonly metaTrainDefaults = LSTM_META_TRAIN_DEFAULTS;
  readonly kind = 'lstm';
  readonly version = 1;
  readonly hyperParams: Record<string, JsonValue>;
  readonly metaParams: ReadonlyMap<string, tf.Variable>;
  private readonly options: LstmOptions;
  private readonly layers: Array<{ kernel: tf.Variable; recurrent: tf.Variable; bias: tf.Variable }>;
  private readonly outputKernel: tf.Variable;
  private readonly outputBias: tf.Variable;

  constructor(options: Partial<LstmOptions> = {}) {
    this.options = decodeOrThrow(LSTM_OPTIONS, options, 'lstm');
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

  /** `chunk`: coordinates per pass (default: sized from the free memory, see coordinateSlices.ts); the result does not depend on it. */
  rule(options: { chunk?: number } = {}): UpdateRule<LstmState> {
    const { hidden, outputScale, preprocessP } = this.options;
    const chunk = options.chunk;
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
        // Big optimizees (a 1.6M-parameter CNN): the gates of all coordinates at once would need gigabytes
        // (wasm's heap is 4 GiB), so the coordinates go through in slices sized from the free memory.
        const layers = this.layers.length;
        const [out, ...next] = mapCoordinateSlices(n, chunk ?? coordinateSlice(n, lstmCost(hidden)), [flat, ...state.h, ...state.c], ([g, ...hc]) => {
          const r = step(g as tf.Tensor1D, hc.slice(0, layers), hc.slice(layers));
          return [r.out, ...r.h, ...r.c];
        });
        const h = next.slice(0, layers);
        const c = next.slice(layers);
        const sizes = grads.map((g) => g.size);
        const pieces = grads.length === 1 ? [out] : tf.split(out, sizes, 0);
        return { updates: pieces.map((piece, i) => tf.reshape(piece, grads[i]!.shape)), state: { h, c } };
      },
    };
  }

  clone(): LearnedOptimizer {
    return cloneLearned(this);
  }

  dispose(): void {
    tf.dispose([...this.metaParams.values()]);
  }
}

registerLearnedOptimizer({ kind: 'lstm', options: LSTM_OPTIONS, create: (options) => new LstmOptimizer(options), deployment: () => ['outputScale'] });
