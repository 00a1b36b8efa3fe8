/**
 * Antithetic evolution strategies as a meta-gradient estimator (Salimans et al.
 * 2017 style): ∇φ E[L(φ + σε)] ≈ 1/(2σ·n) Σₖ (L(φ + σεₖ) − L(φ − σεₖ)) εₖ, with the
 * same tasks, start and truncation for every perturbation. No backpropagation
 * through the unroll, and each step's intermediates are freed before the next,
 * so memory does not grow with the unroll length; the
 * estimate includes the effect of φ on later gradients (no first-order cut).
 * The carried θ follows the unperturbed φ ("truncated ES"; PES would remove the
 * truncation bias and is not implemented).
 *
 * The pairs are independent: each one's noise is seeded by (seed, iteration, pair
 * index), so they can be evaluated anywhere (in this process, or on pool workers:
 * esPairs.ts) and are combined here in index order — the same estimate either way.
 */
import tf from '#tfjs';
import { alongsideCarriedUnroll } from './carriedUnroll.js';
import { treeTensors } from '../../rules/index.js';
import { unrollStepwise } from '../objective.js';
import type { Estimate, EstimateArgs, Estimator } from '../truncated.js';

/** The meta-losses of one antithetic pair: at φ + σε and at φ − σε. */
export interface PairLosses {
  plus: number;
  minus: number;
}

/** Evaluates pairs 0 … config.pairs − 1 of this iteration, results in index order; leaves `variables` as it found them. */
export type PairEvaluator = (args: EstimateArgs) => Promise<PairLosses[]>;

/** Pair k's noise εₖ, one tensor per meta-parameter (a function of the seed, the iteration and k only). */
export function pairNoise(variables: readonly tf.Variable[], config: EstimateArgs['config'], iteration: number, k: number): tf.Tensor[] {
  return variables.map((v, i) => tf.randomNormal(v.shape, 0, 1, 'float32', (config.seed * 1_000_003 + iteration) * 7919 + k * 131 + i));
}

/** Which of a pair's two perturbations: φ + σε or φ − σε (a pool runs them as separate units, esPairs.ts). */
export type PairSide = keyof PairLosses;

/** Sets `variables` to base + σ·noise (plus) or base − σ·noise (minus): one expression for every caller, so any split of the work gives the same bits. */
export function assignPerturbed(variables: readonly tf.Variable[], base: readonly tf.Tensor[], noise: readonly tf.Tensor[], sigma: number, side: PairSide): void {
  tf.tidy(() => variables.forEach((v, i) => v.assign(side === 'plus' ? tf.add(base[i]!, tf.mul(noise[i]!, sigma)) : tf.sub(base[i]!, tf.mul(noise[i]!, sigma)))));
}

/** The meta-loss of one truncation from `from` under the current variables. */
async function evaluate(args: EstimateArgs): Promise<number> {
  const { rule, problem, task, from, config } = args;
  const r = unrollStepwise(rule, problem, task, from, config.unroll, config);
  const value = (await r.metaLoss.data())[0] as number;
  tf.dispose([r.metaLoss, r.theta, ...treeTensors(r.state)]);
  return value;
}

/** One side of pair k: the meta-loss with `variables` set to base + σεₖ or base − σεₖ (the caller restores them) — what evaluatePair computes for that side. */
export async function evaluatePairSide(args: EstimateArgs, base: readonly tf.Tensor[], k: number, side: PairSide): Promise<number> {
  const noise = pairNoise(args.variables, args.config, args.iteration, k);
  try {
    assignPerturbed(args.variables, base, noise, args.config.sigma, side);
    return await evaluate(args);
  } finally {
    tf.dispose(noise);
  }
}

/** Pair k's two meta-losses, with `variables` set to base ± σεₖ in turn (the caller restores them). */
export async function evaluatePair(args: EstimateArgs, base: readonly tf.Tensor[], k: number): Promise<PairLosses> {
  return { plus: await evaluatePairSide(args, base, k, 'plus'), minus: await evaluatePairSide(args, base, k, 'minus') };
}

/** Today's path: every pair in this process, one after another. */
export const inProcessPairs: PairEvaluator = async (args) => {
  const base = args.variables.map((v) => tf.clone(v));
  try {
    const losses: PairLosses[] = [];
    for (let k = 0; k < args.config.pairs; k++) losses.push(await evaluatePair(args, base, k));
    return losses;
  } finally {
    args.variables.forEach((v, i) => v.assign(base[i]!));
    tf.dispose(base);
  }
};

/**
 * The ES estimator with its pairs evaluated by `evaluatePairs`. `elsewhere`: the
 * evaluator never touches this process's variables (pool workers), so the carried
 * unroll under the unperturbed φ runs here while the pairs run there.
 */
export function esEstimatorWith(evaluatePairs: PairEvaluator, options: { elsewhere?: boolean } = {}): Estimator {
  return {
    name: (config) => `antithetic ES (σ = ${config.sigma}, ${config.pairs} pairs)`,
    async estimate(args): Promise<Estimate> {
      const { variables, config, iteration } = args;
      // Advance the carried optimizee state with the unperturbed φ, beside the pairs.
      const { losses, ...carried } = await alongsideCarriedUnroll(args, options.elsewhere === true, () => evaluatePairs(args));
      const sums: tf.Tensor[] = variables.map((v) => tf.zerosLike(v));
      losses.forEach(({ plus, minus }, k) => {
        // A blown-up perturbation carries no usable signal; skip the pair.
        if (!Number.isFinite(plus) || !Number.isFinite(minus)) return;
        const weight = (plus - minus) / (2 * config.sigma * config.pairs);
        const noise = pairNoise(variables, config, iteration, k);
        sums.forEach((s, i) => {
          const next = tf.tidy(() => tf.add(s, tf.mul(noise[i]!, weight)));
          s.dispose();
          sums[i] = next;
        });
        tf.dispose(noise);
      });
      return { metaLoss: carried.metaLoss, grads: sums, carried: carried.carried };
    },
  };
}

export const esEstimator: Estimator = esEstimatorWith(inProcessPairs);
