/**
 * The frozen DQN controller as an update rule: at every step the state features
 * go through the Q-network, the greedy action multiplies each row's learning rate,
 * and the base rule (SGD by default) steps with it. Tensor-only and synchronous.
 *
 * In training, a learning rate that leaves [lrMin, lrMax] ends the episode. A
 * deployed run cannot end, so here the rate is clipped into [lrMin, lrMax] instead.
 */
import tf from '#tfjs';
import { ruleFromSpec, type StateTree, type UpdateRule } from '../../rules/index.js';
import type { MlpLayer } from '../policy/mlp.js';
import { computeFeatures, initFeatureState, type FeatureState } from './features.js';
import { baseRuleSpec, OPTIONS_PATH, type DqnOptions } from './options.js';
import { qValues } from './qNetwork.js';
import { asRows, layoutOf, lossRows, rateForParams } from '../controllerRows.js';

export interface ControllerState {
  [key: string]: StateTree;
  features: FeatureState;
  /** ηₜ per row: [rows, 1]. */
  learningRate: tf.Tensor2D;
  base: StateTree;
}

export function controllerRule(options: DqnOptions, layers: readonly MlpLayer[]): UpdateRule<ControllerState> {
  const base = ruleFromSpec(baseRuleSpec(options.baseRule), `${OPTIONS_PATH}.baseRule`);
  return {
    init: (params) => {
      const layout = layoutOf(params);
      const features = tf.tidy(() => initFeatureState(asRows(params, layout), options.window));
      const rows = features.losses.shape[0];
      return { features, learningRate: tf.fill([rows, 1], options.initialLearningRate) as tf.Tensor2D, base: base.init(params) };
    },
    update: (input, state) => {
      if (input.loss === undefined) {
        throw new Error('dqn-controller: the controller reads the loss; with tfjs use optimizer.minimize(f), not applyGradients');
      }
      const layout = layoutOf(input.params);
      const params = asRows(input.params, layout);
      const rows = params.shape[0];
      const observed = computeFeatures(
        { loss: lossRows(input.loss, rows, OPTIONS_PATH), params, grads: asRows(input.grads, layout), learningRate: state.learningRate, progress: input.step / options.horizon },
        state.features,
      );
      const choice = tf.argMax(qValues(layers, observed.features), 1);
      const factor = tf.reshape(tf.gather(tf.tensor1d(options.actions), choice), [rows, 1]);
      const learningRate = tf.clipByValue(tf.mul(state.learningRate, factor), options.lrMin, options.lrMax) as tf.Tensor2D;
      const out = base.update({ ...input, overrides: { ...input.overrides, learningRate: rateForParams(learningRate, layout) as tf.Scalar } }, state.base);
      return {
        updates: out.updates,
        state: { features: observed.state, learningRate, base: out.state },
        // A separate handle: callers dispose traces and old states independently.
        trace: { learningRate: tf.clone(learningRate) },
      };
    },
  };
}
