/**
 * Zhu, Hayashi & Ohsawa's learning-rate controller ("Gradient Descent
 * Optimization by Reinforcement Learning"): a DQN watches the training of a model
 * through 18 features (features.ts) and at every step multiplies the learning rate
 * by 0.9, 1 or 1/0.9; a base rule (SGD by default) steps with that rate. Rewards
 * (reward.ts) penalise a rate outside [0.001, 0.5], a stalled loss (rate too small)
 * and a loss above its recent minimum (rate too big), and pay for new minima and
 * for reaching the loss threshold early.
 *
 * φ = the online Q-network. The frozen optimizer acts greedily (controllerRule.ts).
 * There is no online mode: DQN learns across episodes, not within one run.
 */
import type * as tf from '@tensorflow/tfjs';
import type { UpdateRule } from '../../rules/index.js';
import { cloneLearned } from '../clone.js';
import type { MlpLayer } from '../policy/mlp.js';
import { registerLearnedOptimizer } from '../kinds.js';
import type { JsonValue, LearnedOptimizer } from '../types.js';
import { controllerRule } from './controllerRule.js';
import { DQN_OPTIONS, decodeDqnOptions, type DqnOptions } from './options.js';
import { createQNetwork, layerVariables } from './qNetwork.js';

export class DqnController implements LearnedOptimizer {
  readonly kind = 'dqn-controller';
  readonly version = 1;
  readonly hyperParams: Record<string, JsonValue>;
  readonly metaParams: ReadonlyMap<string, tf.Variable>;
  readonly options: DqnOptions;
  readonly qLayers: MlpLayer[];

  constructor(options: Partial<DqnOptions> = {}) {
    this.options = decodeDqnOptions(options);
    this.hyperParams = JSON.parse(JSON.stringify(this.options)) as Record<string, JsonValue>;
    const { layers, variables } = createQNetwork(this.options.actions.length, this.options.hidden, this.options.seed);
    this.qLayers = layers;
    this.metaParams = variables;
  }

  rule(): UpdateRule {
    return controllerRule(this.options, this.qLayers) as unknown as UpdateRule;
  }

  clone(): LearnedOptimizer {
    return cloneLearned(this);
  }

  dispose(): void {
    for (const v of layerVariables(this.qLayers)) v.dispose();
  }
}

// η₀ and the range the rate is clipped into at deployment; the Q-network sees log η, not these.
registerLearnedOptimizer({ kind: 'dqn-controller', options: DQN_OPTIONS, create: (options) => new DqnController(options), deployment: () => ['initialLearningRate', 'lrMin', 'lrMax'] });
