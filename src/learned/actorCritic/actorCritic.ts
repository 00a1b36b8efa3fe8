/**
 * Xu, Qin, Wang & Liu's learning-rate controller ("An Actor-critic Algorithm for
 * Learning Rate Learning"): an LSTM actor reads the model's minibatch loss and
 * outputs the learning rate; an MLP critic estimates Q(s, a); the critic learns by
 * TD(0) from rewards rₜ = fₜ − fₜ₊₁ and the actor by the deterministic policy
 * gradient on states from a different minibatch than the model's (rules.ts).
 *
 * φ = actor and critic weights. Modes: online (learns during the run it controls,
 * from scratch or from a checkpoint) and frozen (the actor alone, after meta-training
 * over repeated runs — the paper's appendix variant, trainActorCritic.ts).
 */
import tf from '#tfjs';
import type { UpdateRule } from '../../rules/index.js';
import { cloneLearned } from '../clone.js';
import type { MlpLayer } from '../policy/mlp.js';
import { registerLearnedOptimizer } from '../kinds.js';
import type { JsonValue, LearnedOptimizer, OnlineRule, OutsideState } from '../types.js';
import { ActorCriticLearner } from './learner.js';
import { createActor, createCritic, type ActorWeights } from './networks.js';
import { ACTOR_CRITIC_OPTIONS, actionSize, decodeActorCriticOptions, type ActorCriticOptions } from './options.js';
import { frozenRule, onlineRule, type LearningObserver } from './rules.js';
import { stateSize } from './state.js';

export class ActorCriticController implements LearnedOptimizer {
  readonly kind = 'actor-critic';
  readonly version = 1;
  readonly hyperParams: Record<string, JsonValue>;
  readonly metaParams: ReadonlyMap<string, tf.Variable>;
  readonly options: ActorCriticOptions;
  readonly actor: ActorWeights;
  readonly critic: MlpLayer[];
  /** Frees the optimizers of online rules handed out (their Adam state lives as long as this controller). */
  private readonly disposers: Array<() => void> = [];

  constructor(options: Partial<ActorCriticOptions> = {}) {
    this.options = decodeActorCriticOptions(options);
    this.hyperParams = JSON.parse(JSON.stringify(this.options)) as Record<string, JsonValue>;
    const tag = Math.random().toString(36).slice(2);
    const params = new Map<string, tf.Variable>();
    const make = (name: string, init: () => tf.Tensor) => {
      const initial = tf.tidy(init);
      const v = tf.variable(initial, true, `actor-critic/${name}/${tag}`);
      initial.dispose();
      params.set(name, v);
      return v;
    };
    const { units, layers, criticHidden, seed } = this.options;
    this.actor = createActor(stateSize(this.options.state), units, layers, seed, make, actionSize(this.options));
    this.critic = createCritic(stateSize(this.options.state), criticHidden, seed, make, actionSize(this.options));
    this.metaParams = params;
  }

  rule(): UpdateRule {
    return frozenRule(this.options, this.actor) as unknown as UpdateRule;
  }

  /** The online rule with its own optimizers (free them with `dispose`); `observer` sees every learning step. */
  learningRule(observer?: LearningObserver): { rule: UpdateRule; outside: OutsideState; dispose(): void } {
    const learner = new ActorCriticLearner(this.actor, this.critic, this.options);
    return { rule: onlineRule(this.options, this.actor, learner, observer) as unknown as UpdateRule, outside: learner, dispose: () => learner.dispose() };
  }

  /** Online mode for suites: the runner disposes this controller (a copy) after the run, which frees the optimizers too. */
  onlineRule(): OnlineRule {
    const learning = this.learningRule();
    this.disposers.push(learning.dispose);
    // The learner's optimizers (their Adam moments) are saved with a tfjs optimizer's weights.
    return Object.assign(learning.rule, { outside: learning.outside });
  }

  clone(): LearnedOptimizer {
    return cloneLearned(this);
  }

  dispose(): void {
    this.disposers.splice(0).forEach((d) => d());
    tf.dispose([...this.metaParams.values()]);
  }
}

// The scale of the actor's η; online, also how the actor and critic keep learning (their step sizes, the exploration).
registerLearnedOptimizer({
  kind: 'actor-critic',
  options: ACTOR_CRITIC_OPTIONS,
  create: (options) => new ActorCriticController(options),
  deployment: (_, mode) => ['initialLearningRate', ...(mode === 'online' ? ['actorLearningRate', 'criticLearningRate', 'exploration'] : [])],
});
