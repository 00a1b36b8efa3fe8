/**
 * Persistent evolution strategies (Vicol, Metz & Sohl-Dickstein 2021) as a meta-gradient estimator beside
 * truncated BPTT and truncated ES. Truncated ES perturbs φ for one truncation only and starts every perturbed
 * unroll from the carried, unperturbed θ: it ignores how φ shaped the state the truncation starts from, a bias
 * that favours greedy, short-horizon behaviour. PES removes it: each particle keeps its OWN optimizee states —
 * one under φ + σεₖ⁽ᵗ⁾, one under φ − σεₖ⁽ᵗ⁾ (antithetic) — across truncations, and accumulates its
 * perturbations ξₖ = Σₜ εₖ⁽ᵗ⁾ since the tasks were drawn. The estimate of truncation τ is
 *   ĝ = 1/(2σN) Σₖ (L⁺ₖ − L⁻ₖ) ξₖ,
 * unbiased for the gradient of truncation τ's meta-loss through the whole unroll so far (for a fixed φ).
 * Fresh tasks (step 0) reset the particles and their accumulators.
 *
 * Each particle's noise is pairNoise(seed, iteration, k), ES's. A particle's truncation depends only on φ, its
 * index, the iteration and its two sides, so particles can be advanced anywhere: in this process, or on pool
 * workers with their sides shipped both ways (pesParticles.ts) — the same numbers either way.
 */
import tf from '#tfjs';
import { alongsideCarriedUnroll } from '../es/carriedUnroll.js';
import { treeTensors, type StateTree } from '../../rules/index.js';
import type { Problem } from '../../tasks/types.js';
import { assignPerturbed, pairNoise, type PairLosses, type PairSide } from '../es/es.js';
import { unrollStepwise, type UnrollStart } from '../objective.js';
import type { Estimate, EstimateArgs, Estimator } from '../estimator.js';

export interface Side {
  theta: tf.Tensor2D;
  state: StateTree;
}

/** A particle's two optimizee states: under φ + σεₖ and under φ − σεₖ. */
export interface ParticleSides {
  plus: Side;
  minus: Side;
}

interface Particle extends ParticleSides {
  /** ξₖ: the sum of this particle's unit perturbations since its tasks were drawn, one tensor per meta-parameter. */
  accumulated: tf.Tensor[];
}

/**
 * Advances each particle k one truncation under φ ± σεₖ (index order), replacing its sides in place (the old
 * tensors freed); returns the meta-losses in index order and leaves `variables` as it found them.
 */
export type ParticleEvaluator = (args: EstimateArgs, particles: ParticleSides[]) => Promise<PairLosses[]>;

/** A PES estimator; it holds its particles' states between truncations, so `dispose` it after training. */
export interface PesEstimator extends Estimator {
  dispose(): void;
}

const cloneSide = (from: UnrollStart): Side => ({ theta: tf.clone(from.theta), state: cloneTree(from.state) });

function cloneTree(tree: StateTree): StateTree {
  if (tree instanceof tf.Tensor) return tf.clone(tree);
  if (Array.isArray(tree)) return tree.map(cloneTree) as StateTree;
  if (tree !== null && typeof tree === 'object') return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, cloneTree(v as StateTree)])) as StateTree;
  return tree;
}

export const sideTensors = (s: Side) => [s.theta, ...treeTensors(s.state)];

/** One truncation of `side` under the current variables: the side moves on, its meta-loss is returned. */
async function advance(args: EstimateArgs, side: Side): Promise<number> {
  const { rule, problem, task, from, config } = args;
  const r = unrollStepwise(rule, problem, task, { theta: side.theta, state: side.state, step: from.step }, config.unroll, config);
  const value = (await r.metaLoss.data())[0] as number;
  // A rule may hand a state tensor through unchanged: free only what the new side does not hold.
  const kept = new Set([r.theta, ...treeTensors(r.state)]);
  tf.dispose([r.metaLoss, ...sideTensors(side).filter((t) => !kept.has(t))]);
  side.theta = r.theta;
  side.state = r.state;
  return value;
}

/** One side of particle k's truncation (what advanceParticle does for that side): `side` moves on under base ± σεₖ, its meta-loss is returned. */
export async function advanceParticleSide(args: EstimateArgs, base: readonly tf.Tensor[], side: Side, k: number, which: PairSide): Promise<number> {
  const { variables, config, iteration } = args;
  const noise = pairNoise(variables, config, iteration, k);
  try {
    assignPerturbed(variables, base, noise, config.sigma, which);
    return await advance(args, side);
  } finally {
    tf.dispose(noise);
  }
}

/** Particle k's truncation: its plus side under base + σεₖ, then its minus side under base − σεₖ (the caller restores `variables`). */
export async function advanceParticle(args: EstimateArgs, base: readonly tf.Tensor[], particle: ParticleSides, k: number): Promise<PairLosses> {
  return { plus: await advanceParticleSide(args, base, particle.plus, k, 'plus'), minus: await advanceParticleSide(args, base, particle.minus, k, 'minus') };
}

/** Every particle in this process, one after another. */
export const inProcessParticles: ParticleEvaluator = async (args, particles) => {
  const base = args.variables.map((v) => tf.clone(v));
  try {
    const losses: PairLosses[] = [];
    for (const [k, particle] of particles.entries()) losses.push(await advanceParticle(args, base, particle, k));
    return losses;
  } finally {
    args.variables.forEach((v, i) => v.assign(base[i]!));
    tf.dispose(base);
  }
};

/**
 * `elsewhere`: the evaluator never touches this process's variables (pool workers), so the loop's own unroll
 * under the unperturbed φ runs here while the particles advance there.
 */
export function pesEstimator(evaluateParticles: ParticleEvaluator = inProcessParticles, options: { elsewhere?: boolean } = {}): PesEstimator {
  let particles: Particle[] = [];
  let owner: Problem | undefined;
  const release = () => {
    tf.dispose(particles.flatMap((p) => [...sideTensors(p.plus), ...sideTensors(p.minus), ...p.accumulated]));
    particles = [];
    owner = undefined;
  };
  const fresh = (from: UnrollStart, variables: readonly tf.Variable[]): Particle => ({ plus: cloneSide(from), minus: cloneSide(from), accumulated: variables.map((v) => tf.zerosLike(v)) });

  return {
    name: (config) => `PES (σ = ${config.sigma}, ${config.pairs} antithetic particles)`,
    async estimate(args: EstimateArgs): Promise<Estimate> {
      const { problem, from, variables, config, iteration } = args;
      if (owner !== problem || from.step === 0 || particles.length !== config.pairs) {
        release();
        owner = problem;
        particles = Array.from({ length: config.pairs }, () => fresh(from, variables));
      }
      // ξₖ += εₖ(this truncation), for every particle.
      for (const [k, particle] of particles.entries()) {
        const noise = pairNoise(variables, config, iteration, k);
        const accumulated = particle.accumulated.map((a, i) => tf.add(a, noise[i]!));
        tf.dispose([...noise, ...particle.accumulated]);
        particle.accumulated = accumulated;
      }
      // The loop's own θ, under the unperturbed φ, beside the particles.
      const { losses, ...carried } = await alongsideCarriedUnroll(args, options.elsewhere === true, () => evaluateParticles(args, particles));
      const sums = variables.map((v) => tf.zerosLike(v));
      for (const [k, { plus, minus }] of losses.entries()) {
        const particle = particles[k]!;
        if (!Number.isFinite(plus) || !Number.isFinite(minus)) {
          // A blown-up particle carries no usable signal: it restarts from the unperturbed state with ξ = 0.
          tf.dispose([...sideTensors(particle.plus), ...sideTensors(particle.minus), ...particle.accumulated]);
          particles[k] = fresh(from, variables);
          continue;
        }
        const weight = (plus - minus) / (2 * config.sigma * config.pairs);
        sums.forEach((s, i) => {
          sums[i] = tf.tidy(() => tf.add(s, tf.mul(particle.accumulated[i]!, weight)));
          s.dispose();
        });
      }
      return { metaLoss: carried.metaLoss, grads: sums, carried: carried.carried };
    },
    dispose: release,
  };
}
