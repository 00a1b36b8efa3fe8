/**
 * A rule's optional in-place step, for the tf.Optimizer adapter (tfjsOptimizer.ts), whose parameters and state
 * are tf.Variables: it updates its state where it lies and assigns θ's new value, instead of returning updates
 * and new state to assign. A rule offers one only where it computes exactly what its `update` followed by
 * θ ← θ + u would (rules.adam's fused kernel).
 *
 * Keyed by the rule's `update` function, not a field of the rule: a rule made by spreading another and replacing
 * `update` (a wrapper that changes the step) does not inherit a fast path that would skip its own update.
 */
import type * as tf from '@tensorflow/tfjs';
import type { StateTree, UpdateInput, UpdateRule } from './types.js';

/** Applies one step to `input.params` and the variables of `state`; false (having changed nothing) where it cannot. */
export type ApplyInPlace = (input: UpdateInput & { params: readonly tf.Variable[] }, state: StateTree) => boolean;

const appliers = new WeakMap<UpdateRule['update'], ApplyInPlace>();

export function withInPlaceApply<R extends UpdateRule<StateTree[]>>(rule: R, apply: ApplyInPlace): R {
  appliers.set(rule.update as UpdateRule['update'], apply);
  return rule;
}

export function inPlaceApply(rule: UpdateRule): ApplyInPlace | undefined {
  return appliers.get(rule.update);
}
