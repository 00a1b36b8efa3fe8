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
 * Each particle's noise is pairNoise(seed, iteration, k), ES's; the particles are stateful, so unlike ES's
 * stateless pairs they are evaluated in this process (esPairs.ts's pool would have to hold their states).
 */
import * as tf from '@tensorflow/tfjs';
import { treeTensors, type StateTree } from '../../rules/index.js';
import type { Problem } from '../../tasks/types.js';
import { pairNoise } from '../es/es.js';
import { unrollStepwise, type UnrollStart } from '../objective.js';
import type { Estimate, EstimateArgs, Estimator } from '../estimator.js';

interface Side {
  theta: tf.Tensor2D;
  state: StateTree;
}

interface Particle {
  plus: Side;
  minus: Side;
  /** ξₖ: the sum of this particle's unit perturbations since its tasks were drawn, one tensor per meta-parameter. */
  accumulated: tf.Tensor[];
}

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

const sideTensors = (s: Side) => [s.theta, ...treeTensors(s.state)];

export function pesEstimator(): PesEstimator {
  let particles: Particle[] = [];
  let owner: Problem | undefined;
  const release = () => {
    tf.dispose(particles.flatMap((p) => [...sideTensors(p.plus), ...sideTensors(p.minus), ...p.accumulated]));
    particles = [];
    owner = undefined;
  };

  return {
    name: (config) => `PES (σ = ${config.sigma}, ${config.pairs} antithetic particles)`,
    async estimate(args: EstimateArgs): Promise<Estimate> {
      const { rule, problem, task, from, variables, config, iteration } = args;
      if (owner !== problem || from.step === 0 || particles.length !== config.pairs) {
        release();
        owner = problem;
        particles = Array.from({ length: config.pairs }, () => ({ plus: cloneSide(from), minus: cloneSide(from), accumulated: variables.map((v) => tf.zerosLike(v)) }));
      }
      const base = variables.map((v) => tf.clone(v));
      // One truncation of `side` under the current variables; the side moves on, its meta-loss is returned.
      const advance = async (side: Side): Promise<number> => {
        const r = unrollStepwise(rule, problem, task, { theta: side.theta, state: side.state, step: from.step }, config.unroll, config);
        const value = (await r.metaLoss.data())[0] as number;
        // A rule may hand a state tensor through unchanged: free only what the new side does not hold.
        const kept = new Set([r.theta, ...treeTensors(r.state)]);
        tf.dispose([r.metaLoss, ...sideTensors(side).filter((t) => !kept.has(t))]);
        side.theta = r.theta;
        side.state = r.state;
        return value;
      };
      const sums = variables.map((v) => tf.zerosLike(v));
      try {
        for (const [k, particle] of particles.entries()) {
          const noise = pairNoise(variables, config, iteration, k);
          const accumulated = particle.accumulated.map((a, i) => tf.add(a, noise[i]!));
          tf.dispose(particle.accumulated);
          particle.accumulated = accumulated;
          tf.tidy(() => variables.forEach((v, i) => v.assign(tf.add(base[i]!, tf.mul(noise[i]!, config.sigma)))));
          const plus = await advance(particle.plus);
          tf.tidy(() => variables.forEach((v, i) => v.assign(tf.sub(base[i]!, tf.mul(noise[i]!, config.sigma)))));
          const minus = await advance(particle.minus);
          tf.dispose(noise);
          if (!Number.isFinite(plus) || !Number.isFinite(minus)) {
            // A blown-up particle carries no usable signal: it restarts from the unperturbed state with ξ = 0.
            tf.dispose([...sideTensors(particle.plus), ...sideTensors(particle.minus), ...particle.accumulated]);
            particles[k] = { plus: cloneSide(from), minus: cloneSide(from), accumulated: variables.map((v) => tf.zerosLike(v)) };
            continue;
          }
          const weight = (plus - minus) / (2 * config.sigma * config.pairs);
          sums.forEach((s, i) => {
            sums[i] = tf.tidy(() => tf.add(s, tf.mul(particle.accumulated[i]!, weight)));
            s.dispose();
          });
        }
      } finally {
        variables.forEach((v, i) => v.assign(base[i]!));
        tf.dispose(base);
      }
      // The loop's own θ, under the unperturbed φ: its meta-loss is the curve's point and validation's start.
      const r = unrollStepwise(rule, problem, task, from, config.unroll, config);
      const metaLoss = (await r.metaLoss.data())[0] as number;
      r.metaLoss.dispose();
      return { metaLoss, grads: sums, carried: { theta: r.theta, state: r.state } };
    },
    dispose: release,
  };
}
