/**
 * rules.adam's fast path: where the backend registers the fused Adam kernel (wasm), one kernel per tensor
 * computes m′, v′ and the update, instead of the thirteen tfjs ops of scaleByAdam + scaleByLearningRate. Same
 * state tree, same numbers (the kernel repeats the ops' float32 arithmetic). The tensor ops still run whenever
 * the fused pass could change the meaning: a gradient tape recording (a hyper-gradient or an unrolled meta-loss
 * must flow through the update), a hyper-parameter given as a tensor, or tensors of other dtypes or shapes.
 * Through toTfjsOptimizer, where θ, m and v are variables, one pass per tensor updates m and v in place and gives
 * θ's new value (inPlace.ts), with no update tensor, no add and one assignment instead of three.
 */
import tf from '#tfjs';
import { FUSED_ADAM_IN_PLACE_KERNEL, FUSED_ADAM_KERNEL } from '../backend/fusedKernels.js';
import { valueAt, type StepSize } from './hyper.js';
import { withInPlaceApply } from './inPlace.js';
import type { HyperParam, StateTree, UpdateInput, UpdateRule } from './types.js';

type AdamState = { mu: tf.Tensor[]; nu: tf.Tensor[] };

export interface FusedAdamOptions {
  learningRate: StepSize;
  beta1: HyperParam;
  beta2: HyperParam;
  epsilon: HyperParam;
}

function fusedApplies(input: UpdateInput, moments: AdamState, kernel: string): boolean {
  if (tf.engine().isTapeOn() || tf.getKernel(kernel, tf.getBackend()) === undefined) return false;
  return input.grads.every((g, i) => {
    const m = moments.mu[i];
    const v = moments.nu[i];
    return (
      m !== undefined && v !== undefined && g.dtype === 'float32' && m.dtype === 'float32' && v.dtype === 'float32' &&
      tf.util.arraysEqual(g.shape, m.shape) && tf.util.arraysEqual(g.shape, v.shape)
    );
  });
}

/**
 * The in-place kernel overwrites m and v: sound only where each holds a buffer no other tensor shares (a reshape or
 * clone shares it on wasm), θ, m and v are distinct float32 tensors of the gradient's shape, and no gradient is one
 * of them. θ itself is assigned a new buffer (see the kernel), so it may be shared.
 */
function writableInPlace(input: UpdateInput, moments: AdamState): boolean {
  const backend = tf.backend();
  const distinct = [...input.params, ...moments.mu, ...moments.nu];
  const ids = new Set(distinct.map((t) => t.dataId));
  return (
    input.params.length === input.grads.length &&
    ids.size === distinct.length &&
    input.grads.every((g, i) => {
      const p = input.params[i]!;
      return p.dtype === 'float32' && tf.util.arraysEqual(p.shape, g.shape) && !ids.has(g.dataId);
    }) &&
    [...moments.mu, ...moments.nu].every((t) => backend.refCount(t.dataId) === 1)
  );
}

/** `rule` must be chain(scaleByAdam(options), scaleByLearningRate(learningRate)) built from the same options. */
export function withFusedAdam(rule: UpdateRule<StateTree[]>, options: FusedAdamOptions): UpdateRule<StateTree[]> {
  const { learningRate, beta1, beta2, epsilon } = options;
  /** The kernels' attributes, or undefined where a hyper-parameter is a tensor (the tensor ops then run). */
  const kernelAttrs = (input: UpdateInput): tf.NamedAttrMap | undefined => {
    const lr = input.overrides?.['learningRate'] ?? valueAt(learningRate, input.step);
    if (typeof lr !== 'number' || typeof beta1 !== 'number' || typeof beta2 !== 'number' || typeof epsilon !== 'number') return undefined;
    const attrs = { beta1, beta2, epsilon, c1: 1 - beta1 ** (input.step + 1), c2: 1 - beta2 ** (input.step + 1), scale: -lr };
    return attrs as unknown as tf.NamedAttrMap;
  };
  const fused: UpdateRule<StateTree[]> = {
    ...rule,
    update(input, state) {
      const moments = state[0] as AdamState;
      const attrs = kernelAttrs(input);
      if (attrs === undefined || !fusedApplies(input, moments, FUSED_ADAM_KERNEL)) return rule.update(input, state);
      const mu: tf.Tensor[] = [];
      const nu: tf.Tensor[] = [];
      const updates: tf.Tensor[] = [];
      input.grads.forEach((grad, i) => {
        const [m, v, u] = tf.engine().runKernel(FUSED_ADAM_KERNEL, { grad, mu: moments.mu[i]!, nu: moments.nu[i]! }, attrs) as tf.Tensor[];
        mu.push(m!);
        nu.push(v!);
        updates.push(u!);
      });
      return { updates, state: [{ mu, nu }, state[1] as StateTree] };
    },
  };
  return withInPlaceApply(fused, (input, state) => {
    const moments = (state as StateTree[])[0] as AdamState;
    const attrs = kernelAttrs(input);
    if (attrs === undefined || !fusedApplies(input, moments, FUSED_ADAM_IN_PLACE_KERNEL) || !writableInPlace(input, moments)) return false;
    input.grads.forEach((grad, i) => {
      const param = input.params[i]!;
      const [next] = tf.engine().runKernel(FUSED_ADAM_IN_PLACE_KERNEL, { param, grad, mu: moments.mu[i]!, nu: moments.nu[i]! }, attrs) as tf.Tensor[];
      param.assign(next!);
      next!.dispose();
    });
    return true;
  });
}
