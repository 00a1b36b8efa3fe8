/**
 * The hand-designed optimizers, each a short composition of transforms (as in
 * optax's alias.py). Option names and defaults follow tfjs/Keras so that a rule
 * is a drop-in for the tfjs optimizer of the same name.
 */
import { chain } from './chain.js';
import { hyperSpec, type StepSize } from './hyper.js';
import { scaleByAdadelta, scaleByAdagrad, scaleByAdam, scaleByAdamax, scaleByRms, trace } from './moments.js';
import type { RuleSpec } from './spec.js';
import { checkRuleOptions } from './options.js';
import { addDecayedWeights, scaleByLearningRate } from './stateless.js';
import { withFusedAdam } from './fusedAdam.js';
import type { HyperParam, StateTree, UpdateRule } from './types.js';

export { family7 } from './family7.js';

/** Names a composed rule by its alias and options, when all of them serialise. */
function named(rule: UpdateRule<StateTree[]>, alias: string, options: Record<string, StepSize | boolean>): UpdateRule<StateTree[]> {
  const out: RuleSpec['options'] = {};
  for (const [key, value] of Object.entries(options)) {
    if (typeof value === 'boolean') {
      out[key] = value;
      continue;
    }
    const spec = hyperSpec(value);
    if (spec === undefined) return { init: rule.init, update: rule.update };
    out[key] = spec;
  }
  return { init: rule.init, update: rule.update, spec: { rule: alias, options: out } };
}

export function sgd(options: { learningRate?: StepSize } = {}): UpdateRule {
  checkRuleOptions('sgd', options);
  const learningRate = options.learningRate ?? 0.01;
  return named(chain(scaleByLearningRate(learningRate)), 'sgd', { learningRate });
}

/** Heavy-ball momentum in tfjs's form: v ← μv + g, θ ← θ − ηv. */
export function momentum(options: { learningRate?: StepSize; momentum?: HyperParam } = {}): UpdateRule {
  checkRuleOptions('momentum', options);
  const learningRate = options.learningRate ?? 0.01;
  const mu = options.momentum ?? 0.9;
  return named(chain(trace({ decay: mu }), scaleByLearningRate(learningRate)), 'momentum', { learningRate, momentum: mu });
}

/** Nesterov momentum in tfjs's form: v ← μv + g, θ ← θ − η(g + μv). */
export function nesterov(options: { learningRate?: StepSize; momentum?: HyperParam } = {}): UpdateRule {
  checkRuleOptions('nesterov', options);
  const learningRate = options.learningRate ?? 0.01;
  const mu = options.momentum ?? 0.9;
  return named(chain(trace({ decay: mu, nesterov: true }), scaleByLearningRate(learningRate)), 'nesterov', { learningRate, momentum: mu });
}

export function adagrad(options: { learningRate?: StepSize; initialAccumulatorValue?: number; epsilon?: HyperParam } = {}): UpdateRule {
  checkRuleOptions('adagrad', options);
  const learningRate = options.learningRate ?? 0.01;
  const initialAccumulatorValue = options.initialAccumulatorValue ?? 0.1;
  const epsilon = options.epsilon ?? 1e-7;
  return named(chain(scaleByAdagrad({ initialAccumulatorValue, epsilon }), scaleByLearningRate(learningRate)), 'adagrad', {
    learningRate,
    initialAccumulatorValue,
    epsilon,
  });
}

/** RMSProp, plain or centered, with optional momentum applied to the scaled step (tfjs's form). */
export function rmsprop(
  options: { learningRate?: StepSize; decay?: HyperParam; momentum?: HyperParam; epsilon?: HyperParam; centered?: boolean } = {},
): UpdateRule {
  checkRuleOptions('rmsprop', options);
  const learningRate = options.learningRate ?? 0.001;
  const decay = options.decay ?? 0.9;
  const mu = options.momentum ?? 0;
  const epsilon = options.epsilon ?? 1e-7;
  const centered = options.centered ?? false;
  const parts: UpdateRule[] = [scaleByRms({ decay, epsilon, centered }) as UpdateRule, scaleByLearningRate(learningRate)];
  if (mu !== 0) parts.push(trace({ decay: mu }) as UpdateRule);
  return named(chain(...parts), 'rmsprop', { learningRate, decay, momentum: mu, epsilon, centered });
}

export function adadelta(options: { learningRate?: StepSize; rho?: HyperParam; epsilon?: HyperParam } = {}): UpdateRule {
  checkRuleOptions('adadelta', options);
  const learningRate = options.learningRate ?? 1.0;
  const rho = options.rho ?? 0.95;
  const epsilon = options.epsilon ?? 1e-7;
  return named(chain(scaleByAdadelta({ rho, epsilon }), scaleByLearningRate(learningRate)), 'adadelta', { learningRate, rho, epsilon });
}

type AdamOptions = { learningRate?: StepSize; beta1?: HyperParam; beta2?: HyperParam; epsilon?: HyperParam };

export function adam(options: AdamOptions = {}): UpdateRule {
  checkRuleOptions('adam', options);
  const { learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = options;
  const rule = withFusedAdam(chain(scaleByAdam({ beta1, beta2, epsilon }), scaleByLearningRate(learningRate)), { learningRate, beta1, beta2, epsilon });
  return named(rule, 'adam', { learningRate, beta1, beta2, epsilon });
}

export function amsgrad(options: AdamOptions = {}): UpdateRule {
  checkRuleOptions('amsgrad', options);
  const { learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = options;
  return named(chain(scaleByAdam({ beta1, beta2, epsilon, amsgrad: true }), scaleByLearningRate(learningRate)), 'amsgrad', {
    learningRate,
    beta1,
    beta2,
    epsilon,
  });
}

export function adamax(options: AdamOptions = {}): UpdateRule {
  checkRuleOptions('adamax', options);
  const { learningRate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = options;
  return named(chain(scaleByAdamax({ beta1, beta2, epsilon }), scaleByLearningRate(learningRate)), 'adamax', { learningRate, beta1, beta2, epsilon });
}

/** AdamW (Loshchilov & Hutter): decoupled weight decay, θ ← θ − η(m̂/(√v̂ + ε) + λθ). */
export function adamw(options: AdamOptions & { weightDecay?: HyperParam } = {}): UpdateRule {
  checkRuleOptions('adamw', options);
  const { learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, weightDecay = 0.01 } = options;
  return named(
    chain(scaleByAdam({ beta1, beta2, epsilon }), addDecayedWeights(weightDecay), scaleByLearningRate(learningRate)),
    'adamw',
    { learningRate, beta1, beta2, epsilon, weightDecay },
  );
}
