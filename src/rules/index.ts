/** `rules`: update rules, transforms, schedules. */
export type { UpdateRule, UpdateInput, UpdateOutput, StateTree, HyperParam } from './types.js';
export type { RuleSpec, ScheduleSpec } from './spec.js';
export { sgd, momentum, nesterov, adagrad, rmsprop, adadelta, adam, adamax, amsgrad, adamw, family7 } from './optimizers.js';
export { FAMILY7_NAMES, FAMILY7_DEFAULTS, type Family7Options } from './family7.js';
export { chain } from './chain.js';
export { trace, scaleByAdagrad, scaleByRms, scaleByAdadelta, scaleByAdam, scaleByAdamax } from './moments.js';
export { scale, scaleByLearningRate, addDecayedWeights, clipByGlobalNorm, clipByValue } from './stateless.js';
export { constant, stepDecay, exponentialDecay, cosineDecay, sgdr, linearWarmup, scheduleFromSpec, isSchedule, type Schedule } from './schedules.js';
export { ruleFromSpec, RULE_NAMES, RuleSpecError } from './registry.js';
export { RULE_OPTIONS, RuleOptionError, checkRuleOptions, type RuleOptions, type OptionRule, type OptionKind } from './options.js';
export { treeLeaves, treeMap, treeTensors } from './tree.js';
export { applyUpdates } from './tfjsOptimizer.js';
