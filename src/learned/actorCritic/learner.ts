/**
 * The two learning steps of Xu et al.'s Algorithm 1, each synchronous and
 * tensor-only (they run inside an update rule):
 * - critic, TD(0): minimise (Q(sₜ, aₜ) − (rₜ + γ·Q(sₜ₊₁, aₜ₊₁)))², the target held constant;
 * - actor, deterministic policy gradient: maximise Q(sⱼ, μ(sⱼ)) over a window of
 *   states, the actor's LSTM unrolled through the window from its memory at the
 *   window's start (truncated backprop through time).
 * `weight` scales a step's feedback (h(t) = 1/t in the paper's appendix variant).
 */
import tf from '#tfjs';
import type { MlpLayer } from '../policy/mlp.js';
import { actorStep, actorVariables, criticValue, criticVariables, type ActorMemory, type ActorWeights } from './networks.js';

export interface Transition {
  state: tf.Tensor2D;
  action: tf.Tensor2D;
  reward: tf.Tensor1D;
  nextState: tf.Tensor2D;
  nextAction: tf.Tensor2D;
}

export class ActorCriticLearner {
  private readonly criticOptimizer: tf.Optimizer;
  private readonly actorOptimizer: tf.Optimizer;

  constructor(
    private readonly actor: ActorWeights,
    private readonly critic: readonly MlpLayer[],
    private readonly options: { gamma: number; actorLearningRate: number; criticLearningRate: number; initialLearningRate: number },
  ) {
    this.criticOptimizer = tf.train.adam(options.criticLearningRate);
    this.actorOptimizer = tf.train.adam(options.actorLearningRate);
  }

  /** One TD(0) step of the critic; returns the TD loss (a new scalar). */
  criticStep(t: Transition, weight: number): tf.Scalar {
    const target = tf.tidy(() => tf.add(t.reward, tf.mul(this.options.gamma, criticValue(this.critic, t.nextState, t.nextAction))));
    const loss = this.criticOptimizer.minimize(
      () => tf.mul(weight, tf.mean(tf.square(tf.sub(criticValue(this.critic, t.state, t.action), target)))) as tf.Scalar,
      true,
      criticVariables(this.critic),
    );
    target.dispose();
    return loss!;
  }

  /** One DPG step of the actor over `window` ([rows, U, S]) from `start`; returns −mean Q (a new scalar). */
  actorStep(window: tf.Tensor3D, start: ActorMemory, weight: number): tf.Scalar {
    const [, steps] = window.shape;
    const loss = this.actorOptimizer.minimize(
      () => {
        let memory = start;
        const values: tf.Tensor1D[] = [];
        for (let k = 0; k < steps; k++) {
          const s = tf.squeeze(tf.slice(window, [0, k, 0], [-1, 1, -1]), [1]) as tf.Tensor2D;
          const out = actorStep(this.actor, s, memory, this.options.initialLearningRate);
          values.push(criticValue(this.critic, s, out.action));
          memory = out.memory;
        }
        return tf.mul(-weight, tf.mean(tf.stack(values))) as tf.Scalar;
      },
      true,
      actorVariables(this.actor),
    );
    return loss!;
  }

  /** Both optimizers' state (iterations and moments, by position as tfjs keeps them), for saving an online controller mid-run. */
  async getWeights(): Promise<Array<{ name: string; tensor: tf.Tensor }>> {
    const prefixed = async (prefix: string, optimizer: tf.Optimizer) => (await optimizer.getWeights()).map(({ name, tensor }) => ({ name: `${prefix}/${name}`, tensor }));
    return [...(await prefixed('critic', this.criticOptimizer)), ...(await prefixed('actor', this.actorOptimizer))];
  }

  async setWeights(weights: Array<{ name: string; tensor: tf.Tensor }>): Promise<void> {
    for (const [prefix, optimizer] of [['critic', this.criticOptimizer], ['actor', this.actorOptimizer]] as const) {
      const own = weights.filter((w) => w.name.startsWith(`${prefix}/`)).map(({ name, tensor }) => ({ name: name.slice(prefix.length + 1), tensor }));
      if (own.length > 0) await optimizer.setWeights(own);
    }
  }

  dispose(): void {
    this.criticOptimizer.dispose();
    this.actorOptimizer.dispose();
  }
}
