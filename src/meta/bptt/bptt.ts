/**
 * The truncated-BPTT meta-gradient (Andrychowicz et al. 2016): unroll the learned
 * rule for one truncation and differentiate the meta-loss with respect to the
 * meta-parameters by `tf.variableGrads`. The tape lives for one truncation only,
 * so memory is bounded by the truncation length, not the horizon.
 */
import tf from '#tfjs';
import { treeLeaves } from '../../rules/index.js';
import type { Estimate, Estimator } from '../truncated.js';
import { unroll } from '../objective.js';

export const bpttEstimator: Estimator = {
  holdsTape: true,
  name: (config) => `truncated BPTT (${config.firstOrder ? 'first-order' : 'second-order'})`,
  async estimate({ rule, problem, task, from, variables, config }): Promise<Estimate> {
    let carried: Estimate['carried'] | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const r = unroll(rule, problem, task, from, config.unroll, config);
      carried = { theta: tf.keep(r.theta), state: r.state };
      treeLeaves(r.state).forEach((leaf) => tf.keep(leaf.tensor));
      return r.metaLoss;
    }, variables);
    const metaLoss = (await value.data())[0] as number;
    value.dispose();
    return { metaLoss, grads: variables.map((v) => grads[v.name] as tf.Tensor), carried: carried! };
  },
};
