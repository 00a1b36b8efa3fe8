/**
 * Antithetic evolution strategies as a meta-gradient estimator (Salimans et al.
 * 2017 style): ∇φ E[L(φ + σε)] ≈ 1/(2σ·n) Σₖ (L(φ + σεₖ) − L(φ − σεₖ)) εₖ, with the
 * same tasks, start and truncation for every perturbation. No backpropagation
 * through the unroll, and each step's intermediates are freed before the next,
 * so memory does not grow with the unroll length; the
 * estimate includes the effect of φ on later gradients (no first-order cut).
 * The carried θ follows the unperturbed φ ("truncated ES"; PES would remove the
 * truncation bias and is not implemented).
 */
import * as tf from '@tensorflow/tfjs';
import { treeTensors } from '../rules/index.js';
import { unrollStepwise } from './objective.js';
import type { Estimate, Estimator } from './truncated.js';

export const esEstimator: Estimator = {
  name: (config) => `antithetic ES (σ = ${config.sigma}, ${config.pairs} pairs)`,
  async estimate({ rule, problem, task, from, variables, config, iteration }): Promise<Estimate> {
    const base = variables.map((v) => tf.clone(v));
    const sums: tf.Tensor[] = variables.map((v) => tf.zerosLike(v));
    const evaluate = async (): Promise<number> => {
      const r = unrollStepwise(rule, problem, task, from, config.unroll, config);
      const value = (await r.metaLoss.data())[0] as number;
      tf.dispose([r.metaLoss, r.theta, ...treeTensors(r.state)]);
      return value;
    };
    try {
      for (let k = 0; k < config.pairs; k++) {
        const noise = variables.map((v, i) => tf.randomNormal(v.shape, 0, 1, 'float32', (config.seed * 1_000_003 + iteration) * 7919 + k * 131 + i));
        tf.tidy(() => variables.forEach((v, i) => v.assign(tf.add(base[i]!, tf.mul(noise[i]!, config.sigma)))));
        const plus = await evaluate();
        tf.tidy(() => variables.forEach((v, i) => v.assign(tf.sub(base[i]!, tf.mul(noise[i]!, config.sigma)))));
        const minus = await evaluate();
        // A blown-up perturbation carries no usable signal; skip the pair.
        if (Number.isFinite(plus) && Number.isFinite(minus)) {
          const weight = (plus - minus) / (2 * config.sigma * config.pairs);
          sums.forEach((s, i) => {
            const next = tf.tidy(() => tf.add(s, tf.mul(noise[i]!, weight)));
            s.dispose();
            sums[i] = next;
          });
        }
        tf.dispose(noise);
      }
      variables.forEach((v, i) => v.assign(base[i]!));
      // Advance the carried optimizee state with the unperturbed φ.
      const r = unrollStepwise(rule, problem, task, from, config.unroll, config);
      const metaLoss = (await r.metaLoss.data())[0] as number;
      r.metaLoss.dispose();
      return { metaLoss, grads: sums, carried: { theta: r.theta, state: r.state } };
    } finally {
      variables.forEach((v, i) => v.assign(base[i]!));
      tf.dispose(base);
    }
  },
};

