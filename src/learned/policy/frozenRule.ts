/**
 * The frozen policy's update rule, written for speed. It computes exactly what
 * `observe` + the policy network compute (the features of history.ts), but:
 * - a window is a list of H column tensors, newest first: a step prepends the
 *   new column and passes the others on as clones (tf.clone shares the data, so
 *   nothing is copied); the [n, H] matrix is stacked once per step;
 * - the features are never assembled: the first layer is a sum of block
 *   products, (G·W_g)/rms_G + (S·W_s)/rms_S + …;
 * - the loss-change window is kept once per loss value (one row for a model's
 *   scalar loss, one per run when runs are batched as rows), not per coordinate.
 * - where the backend has them (wasm), a window's [n, H] rows and RMS, the first
 *   hidden layer after its products, and each later tanh layer are one fused
 *   pass each (fusedPasses.ts).
 * Training (PPO) still uses the explicit features; a test checks both agree, for
 * both feature sets (the 'paper' set is the same blocks, raw: no RMS division, no
 * scale inputs, an unclipped loss change and one more gradient column).
 */
import tf from '#tfjs';
import type { UpdateRule } from '../../rules/index.js';
import { flattenAll, unflattenLike } from './flatten.js';
import { activate, type Activation, type MlpLayer } from './mlp.js';
import { applyMlpFused, firstLayerAsFused, fusedFirstLayer, windowProduct } from './fusedPasses.js';
import { gradientWindow, relativeLossChange, type FeatureSet } from './history.js';
import { coordinateSlice, mapCoordinateSlices, type CoordinateCost } from '../coordinateSlices.js';

export interface ColumnState {
  [key: string]: tf.Tensor | tf.Tensor[];
  /** g_t, g_{t−1}, …, each [n] (H columns; H + 1 for the 'paper' features). */
  grads: tf.Tensor1D[];
  /** Δθ_{t−1}, Δθ_{t−2}, …, each [n]. */
  steps: tf.Tensor1D[];
  /** Relative loss changes per loss value, newest first: [L, H]. */
  lossChanges: tf.Tensor2D;
  /** [L]. */
  previousLoss: tf.Tensor1D;
}

const TINY = 1e-20;

/** A [L, k] tensor of per-loss values, spread over the flat coordinates: [1, k] (shared) or [n, k]. */
function perCoordinate(values: tf.Tensor2D, params: readonly tf.Tensor[]): tf.Tensor2D {
  const [l, k] = values.shape;
  if (l === 1) return values;
  const pieces = params.map((p) => {
    if (p.rank < 1 || p.shape[0] !== l) throw new Error(`a loss of ${l} values matches neither a scalar nor the rows of a parameter of shape [${p.shape}]`);
    const shape = [l, ...Array<number>(p.rank - 1).fill(1), k];
    return tf.reshape(tf.broadcastTo(tf.reshape(values, shape), [...p.shape, k]), [p.size, k]);
  });
  return (pieces.length === 1 ? pieces[0]! : tf.concat(pieces, 0)) as tf.Tensor2D;
}

/** Prepends `column` and keeps the H − 1 newest of `window` (as clones: the caller disposes the old state). */
function prepend(column: tf.Tensor1D, window: readonly tf.Tensor1D[]): tf.Tensor1D[] {
  return [column, ...window.slice(0, window.length - 1).map((c) => tf.clone(c))];
}

/** What the frozen rule reads of the policy (coordinatePolicy.ts builds the rule from itself). */
export interface FrozenPolicy {
  readonly options: { readonly history: number; readonly includeParams: boolean; readonly features: FeatureSet; readonly activation: Activation };
  readonly policyLayers: readonly MlpLayer[];
  stepFor(action: tf.Tensor1D, grad: tf.Tensor1D): tf.Tensor1D;
}

/**
 * Per-coordinate temporaries of one update (float32): the two [H, ·] window stacks, and about twenty [·, units]
 * passes (block products, normalisations, the tanh as 2σ(2x) − 1, the next layers).
 */
const policyCost = (h: number, units: number): CoordinateCost => ({ bytesPerCoordinate: 4 * (2 * h + 24 * units), widestRowBytes: 4 * Math.max(h, units) });

/** `chunk`: coordinates per pass (default: sized from the free memory, see coordinateSlices.ts); the result does not depend on it. */
export function frozenPolicyRule(policy: FrozenPolicy, options: { chunk?: number } = {}): UpdateRule<ColumnState> {
  const { history: h, includeParams, features, activation } = policy.options;
  const paper = features === 'paper';
  // Rows of the first layer's kernel: [gradients (gh), steps (h), loss changes (h), (log-RMS ×2, normalised only), (θ)].
  const gh = gradientWindow(h, features);
  const at = { steps: gh, loss: gh + h, scale: gh + 2 * h, param: gh + 2 * h + (paper ? 0 : 2) };
  const [first, ...rest] = policy.policyLayers;
  const units = first!.kernel.shape[1]!;
  const block = (row: number, rows: number) => tf.slice(first!.kernel, [row, 0], [rows, units]) as tf.Tensor2D;
  return {
    init: (params) => {
      const n = params.reduce((sum, p) => sum + p.size, 0);
      const zeros = tf.zeros([n]) as tf.Tensor1D;
      const column = () => tf.clone(zeros);
      const state = { grads: Array.from({ length: gh }, column), steps: Array.from({ length: h }, column), lossChanges: tf.zeros([1, h]) as tf.Tensor2D, previousLoss: tf.zeros([1]) as tf.Tensor1D };
      zeros.dispose();
      return state;
    },
    update: ({ grads, params, loss, step }, state) => {
      const g = flattenAll(grads);
      const n = g.shape[0];
      const gradColumns = prepend(g, state.grads);
      const lossNow = loss === undefined ? tf.zeros([1]) : tf.reshape(loss, [-1]);
      const l = lossNow.size;
      const change = step === 0 ? tf.zeros([l, 1]) : tf.reshape(relativeLossChange(lossNow, state.previousLoss, step, !paper), [l, 1]);
      const older = state.lossChanges.shape[0] === l ? tf.slice(state.lossChanges, [0, 0], [l, h - 1]) : tf.zeros([l, h - 1]);
      const windowL = tf.concat([change, older], 1) as tf.Tensor2D;
      // The loss-change block and the bias are per loss value: one [L, units] term, spread over the coordinates
      // only when runs are batched as rows (then it is per coordinate, and sliced like the windows).
      const lossTerm = perCoordinate(tf.add(tf.matMul(windowL, block(at.loss, h)), first!.bias) as tf.Tensor2D, params);
      const spread = lossTerm.shape[0] !== 1;
      const flatParams = includeParams ? flattenAll(params) : undefined;
      const perCoordinateInputs = [...gradColumns, ...state.steps, ...(spread ? [lossTerm] : []), ...(flatParams === undefined ? [] : [flatParams])];
      const slice = options.chunk ?? coordinateSlice(n, policyCost(gh, units));
      // Every coordinate is independent: one pass over all of them, or (big models) over slices of them.
      const [update] = mapCoordinateSlices(n, slice, perCoordinateInputs, (sliced) => {
        const columnsG = sliced.slice(0, gh) as tf.Tensor1D[];
        const columnsS = sliced.slice(gh, gh + h) as tf.Tensor1D[];
        const term = spread ? sliced[gh + h]! : lossTerm;
        const theta = flatParams === undefined ? undefined : sliced[sliced.length - 1]!;
        // Stacking along axis 1 copies element by element on wasm: see windowProduct.
        const windowG = windowProduct(columnsG, block(0, gh));
        const windowS = windowProduct(columnsS, block(at.steps, h));
        const [productG, productS] = [windowG.product, windowS.product];
        let z: tf.Tensor;
        let hidden: tf.Tensor2D | undefined;
        if (paper) {
          z = tf.add(tf.add(productG, productS), term);
        } else {
          const [rmsG, rmsS] = [windowG.rms(), windowS.rms()];
          const log4 = (rms: tf.Tensor) => tf.div(tf.div(tf.log(tf.add(rms, 1e-8)), Math.LN10), 4) as tf.Tensor1D;
          const scaleWeights = block(at.scale, 2);
          // The whole first hidden layer as one fused pass where the backend has it (wasm; fusedPasses.ts).
          // Batched runs (a term per coordinate) get the kernel's arithmetic in ops, so a run's numbers do not depend on its group.
          const fusable = theta === undefined && rest.length > 0 && activation === 'tanh';
          const inputs = { productG, productS, rmsG, rmsS, logG: log4(rmsG), logS: log4(rmsS), scaleWeights, term: term as tf.Tensor2D };
          hidden = !fusable ? undefined : spread ? firstLayerAsFused(inputs, TINY) : fusedFirstLayer(inputs, TINY);
          if (hidden !== undefined) z = hidden;
          else {
            const [columnG, columnS] = [tf.reshape(rmsG, [-1, 1]), tf.reshape(rmsS, [-1, 1])];
            z = tf.add(tf.div(productG, tf.add(columnG, TINY)), tf.div(productS, tf.add(columnS, TINY)));
            z = tf.add(z, term);
            // The two scale columns stacked as [2, n] rows and multiplied transposed: concatenating [n, 1] columns
            // along axis 1 copies element by element on wasm (11 ms of a ~100 ms update at 101,770 coordinates).
            z = tf.add(z, tf.matMul(tf.stack([inputs.logG, inputs.logS], 0), scaleWeights, true, false));
          }
        }
        if (theta !== undefined) z = tf.add(z, tf.matMul(tf.reshape(theta, [-1, 1]), block(at.param, 1)));
        // With no hidden layer the first layer is the output layer (linear).
        const firstHidden = hidden ?? (rest.length === 0 ? undefined : (activate(z, activation) as tf.Tensor2D));
        const mean = tf.reshape(firstHidden === undefined ? z : applyMlpFused(rest, firstHidden, activation), [-1]) as tf.Tensor1D;
        return [policy.stepFor(mean, columnsG[0]!)];
      });
      return {
        updates: unflattenLike(update!, params),
        state: { grads: gradColumns, steps: prepend(update as tf.Tensor1D, state.steps), lossChanges: windowL, previousLoss: lossNow as tf.Tensor1D },
      };
    },
  };
}
