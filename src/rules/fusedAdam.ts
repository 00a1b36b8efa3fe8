/**
 * rules.adam's fast path: where the backend registers the fused Adam kernel (wasm), one kernel per tensor
 * computes m′, v′ and the update, instead of the thirteen tfjs ops of scaleByAdam + scaleByLearningRate. Same
 * state tree, same numbers (the kernel repeats the ops' float32 arithmetic). The tensor ops still run whenever
 * the fused pass could change the meaning: a gradient tape recording (a hyper-gradient or an unrolled meta-loss
 * must flow through the update), a hyper-parameter given as a tensor, or tensors of other dtypes or shapes.
 */
import tf from '#tfjs';
import { FUSED_ADAM_KERNEL } from '../backend/fusedKernels.js';
import { valueAt, type StepSize } from './hyper.js';
import type { HyperParam, StateTree, UpdateInput, UpdateRule } from './types.js';

type AdamState = { mu: tf.Tensor[]; nu: tf.Tensor[] };

export interface FusedAdamOptions {
  learningRate: StepSize;
  beta1: HyperParam;
  beta2: HyperParam;
  epsilon: HyperParam;
}

function fusedApplies(input: UpdateInput, moments: AdamState): boolean {
  if (tf.engine().isTapeOn() || tf.getKernel(FUSED_ADAM_KERNEL, tf.getBackend()) === undefined) return false;
  return input.grads.every((g, i) => {
    const m = moments.mu[i];
    const v = moments.nu[i];
    return (
      m !== undefined && v !== undefined && g.dtype === 'float32' && m.dtype === 'float32' && v.dtype === 'float32' &&
      tf.util.arraysEqual(g.shape, m.shape) && tf.util.arraysEqual(g.shape, v.shape)
    );
  });
}

/** `rule` must be chain(scaleByAdam(options), scaleByLearningRate(learningRate)) built from the same options. */
export function withFusedAdam(rule: UpdateRule<StateTree[]>, options: FusedAdamOptions): UpdateRule<StateTree[]> {
  const { learningRate, beta1, beta2, epsilon } = options;
  return {
    ...rule,
    update(input, state) {
      const lr = input.overrides?.['learningRate'] ?? valueAt(learningRate, input.step);
      const moments = state[0] as AdamState;
      if (typeof lr !== 'number' || typeof beta1 !== 'number' || typeof beta2 !== 'number' || typeof epsilon !== 'number' || !fusedApplies(input, moments)) {
        return rule.update(input, state);
      }
      const attrs = {
        beta1,
        beta2,
        epsilon,
        c1: 1 - beta1 ** (input.step + 1),
        c2: 1 - beta2 ** (input.step + 1),
        scale: -lr,
      };
      const mu: tf.Tensor[] = [];
      const nu: tf.Tensor[] = [];
      const updates: tf.Tensor[] = [];
      input.grads.forEach((grad, i) => {
        const [m, v, u] = tf.engine().runKernel(FUSED_ADAM_KERNEL, { grad, mu: moments.mu[i]!, nu: moments.nu[i]! }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        mu.push(m!);
        nu.push(v!);
        updates.push(u!);
      });
      return { updates, state: [{ mu, nu }, state[1] as StateTree] };
    },
  };
}
