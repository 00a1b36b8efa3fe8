/** The actor-critic controller's construction options (hyperParams): validated, unknown keys refused, errors name the field. */
import t from '#cjs/io-ts';
import { decodeOrThrow } from '../../codec/decode.js';
import { options } from '../../codec/strict.js';
import * as values from '../../codec/values.js';
import type { RuleSpec } from '../../rules/index.js';
import { BaseRule, baseRuleProblems } from '../baseRule.js';

/** What the actor and critic see at a step (see state.ts). */
export type StateKind = 'loss' | 'rich';

export type ActorCriticOptions = {
  /** LSTM units per layer of the actor (Xu et al.: 20). */
  units: number;
  /** LSTM layers of the actor (Xu et al.: 2). */
  layers: number;
  /** Hidden units of the critic MLP (Xu et al.: 10). */
  criticHidden: number;
  /** The actor's output is η = initialLearningRate · |w·h + b| with b = 1 and a small w at the start, so η₀ ≈ this. */
  initialLearningRate: number;
  /** 'loss': the minibatch's average loss (the paper's χ); 'rich': also log loss and log mean |g|. */
  state: StateKind;
  /** The paper's ablation: train the actor on the same minibatch as the model and critic. */
  sameBatch: boolean;
  /** Discount of the TD(0) target. */
  gamma: number;
  /** Adam's step size for the actor and the critic (Xu et al. use TensorFlow's Adam defaults: 1e-3). */
  actorLearningRate: number;
  criticLearningRate: number;
  /** The actor is trained through its LSTM unrolled over up to this many steps (truncated BPTT windows). */
  unroll: number;
  /**
   * 'everyStep' (Algorithm 1): one DPG step of the actor at every step, through the states of the current
   * window so far; 'window' (our earlier cadence, a labelled variant): one DPG step per `unroll`-step window.
   */
  actorUpdate: 'everyStep' | 'window';
  /**
   * When the actor's state sⱼ = χ(ω, xⱼ) is measured: 'afterUpdate' (the paper: on ωₜ₊₁, after the model's
   * step) or 'beforeUpdate' (on ωₜ; our earlier timing, a labelled variant).
   */
  actorState: 'afterUpdate' | 'beforeUpdate';
  /**
   * The critic's next state: 'sameBatch' (Algorithm 1: sₜ₊₁ = χ(ωₜ₊₁, xᵢ), the minibatch of the reward, and
   * aₜ₊₁ = μ(sₜ₊₁)), or 'nextBatch' (our earlier one: the next step's minibatch state and action, a labelled variant).
   */
  criticNext: 'sameBatch' | 'nextBatch';
  /** The rule whose learning rate the actor sets: any spec ruleFromSpec accepts ('sgd', 'adam', {rule, options}). */
  baseRule: string | RuleSpec;
  /**
   * σ of log-normal exploration noise on η while learning online (frozen runs act
   * deterministically). 0 is the paper's pure deterministic policy; see rules.ts.
   */
  exploration: number;
  /**
   * What the actor sets: 'learningRate' (the paper: η of `baseRule`), or 'adam' —
   * beyond the paper — η and β₁ of Adam (the 7-parameter family's Adam form without
   * bias correction: b₁ = β₁, b₂ = 1 − β₁, β₂ = 0.999; `baseRule` is then unused).
   */
  controls: 'learningRate' | 'adam';
  /** Online mode: weight step t's feedback by h(t) = 1/t ('inverse', the paper's appendix) or not at all ('none'). */
  weighting: 'none' | 'inverse';
  seed: number;
};

export const ACTOR_CRITIC_DEFAULTS: ActorCriticOptions = {
  units: 20,
  layers: 2,
  criticHidden: 10,
  initialLearningRate: 0.01,
  state: 'loss',
  sameBatch: false,
  gamma: 0.9,
  actorLearningRate: 0.001,
  criticLearningRate: 0.001,
  unroll: 20,
  actorUpdate: 'everyStep',
  actorState: 'afterUpdate',
  criticNext: 'sameBatch',
  baseRule: 'sgd',
  weighting: 'none',
  exploration: 0.2,
  controls: 'learningRate',
  seed: 0,
};

/** The options' types and ranges (defaults above). */
export const ACTOR_CRITIC_OPTIONS: t.Decoder<unknown, ActorCriticOptions> = options(
  'actor-critic options',
  {
    units: values.positiveInt,
    layers: values.positiveInt,
    criticHidden: values.positiveInt,
    initialLearningRate: values.positive,
    state: values.oneOf(['loss', 'rich']),
    sameBatch: values.boolean,
    gamma: t.refinement(t.number, (n) => n >= 0 && n < 1, 'a number in [0, 1)'),
    actorLearningRate: values.positive,
    criticLearningRate: values.positive,
    unroll: values.positiveInt,
    actorUpdate: values.oneOf(['everyStep', 'window']),
    actorState: values.oneOf(['afterUpdate', 'beforeUpdate']),
    criticNext: values.oneOf(['sameBatch', 'nextBatch']),
    baseRule: BaseRule,
    weighting: values.oneOf(['none', 'inverse']),
    exploration: values.nonNegative,
    controls: values.oneOf(['learningRate', 'adam']),
    seed: values.finite,
  },
  ACTOR_CRITIC_DEFAULTS,
  { check: (o) => baseRuleProblems(o.baseRule) },
);

export const OPTIONS_PATH = 'actor-critic';

export function decodeActorCriticOptions(input: unknown, path = OPTIONS_PATH): ActorCriticOptions {
  return decodeOrThrow(ACTOR_CRITIC_OPTIONS, input, path);
}

/** How many numbers the actor outputs per row: η, and β₁ when it controls Adam. */
export function actionSize(options: Pick<ActorCriticOptions, 'controls'>): number {
  return options.controls === 'adam' ? 2 : 1;
}
