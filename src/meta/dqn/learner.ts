/**
 * The Q-learning half of DQN: minibatch updates of the online network towards
 * r + γ · maxₐ′ Q_target(s′, a′) · (1 − done) with the Huber loss and Adam
 * (gradients clipped by global norm), and the target network, a frozen copy of
 * the online one re-synced every `targetSync` learner steps (Mnih et al. 2015).
 */
import tf from '#tfjs';
import { adam, chain, clipByGlobalNorm } from '../../rules/index.js';
import { toTfjsOptimizer } from '../../rules/tfjsOptimizer.js';
import type { MlpLayer } from '../../learned/policy/mlp.js';
import { assignLayers, copyLayers, layerVariables, qValues } from '../../learned/dqn/qNetwork.js';
import type { ReplayBatch } from './replay.js';

export interface LearnerOptions {
  gamma: number;
  learningRate: number;
  /** δ of the Huber loss. */
  huberDelta: number;
  /** Learner steps between target-network syncs. */
  targetSync: number;
  maxGradNorm: number;
}

export class DqnLearner {
  readonly target: MlpLayer[];
  /** Minibatch updates made so far. */
  steps = 0;
  private readonly optimizer: tf.Optimizer;

  constructor(
    readonly online: readonly MlpLayer[],
    private readonly options: LearnerOptions,
  ) {
    this.target = copyLayers(online);
    this.optimizer = toTfjsOptimizer(chain(clipByGlobalNorm(options.maxGradNorm), adam({ learningRate: options.learningRate })));
  }

  syncTarget(): void {
    assignLayers(this.target, this.online);
  }

  /** One minibatch update; returns its Huber loss. Syncs the target network every `targetSync` steps. */
  async learn(batch: ReplayBatch): Promise<number> {
    const actionCount = this.online[this.online.length - 1]!.bias.shape[0]!;
    const { size, featureCount: f } = batch;
    const states = tf.tensor2d(batch.states, [size, f]);
    const actions = tf.tensor1d(batch.actions, 'int32');
    const targets = tf.tidy(() => {
      const best = tf.max(qValues(this.target, tf.tensor2d(batch.nexts, [size, f])), 1);
      const bootstrap = tf.mul(tf.mul(best, this.options.gamma), tf.sub(1, tf.tensor1d(batch.dones)));
      return tf.add(tf.tensor1d(batch.rewards), bootstrap);
    });
    try {
      const cost = this.optimizer.minimize(
        () => {
          const chosen = tf.sum(tf.mul(qValues(this.online, states), tf.oneHot(actions, actionCount)), 1);
          return tf.losses.huberLoss(targets, chosen, undefined, this.options.huberDelta) as tf.Scalar;
        },
        true,
        layerVariables(this.online),
      );
      const loss = cost === null ? NaN : ((await cost.data())[0] as number);
      cost?.dispose();
      this.steps++;
      if (this.steps % this.options.targetSync === 0) this.syncTarget();
      return loss;
    } finally {
      tf.dispose([states, actions, targets]);
    }
  }

  dispose(): void {
    this.optimizer.dispose();
    tf.dispose(layerVariables(this.target));
  }
}
