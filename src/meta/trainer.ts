/**
 * A meta-trainer: how a learned optimizer's meta-parameters φ are learned (truncated
 * BPTT, ES, PPO, DQN, actor-critic), or, for MAML, a task's initialisation. Each is one
 * entry of the registry (registry.ts): its config codec and defaults, the one decoder
 * of its suite config, which learned optimizers it can train, and `train`.
 */
import type * as t from 'io-ts';
import type { JsonValue, LearnedOptimizer, MetaTrainReport, ProgressCallback } from '../learned/types.js';
import type { TaskFamily } from '../tasks/types.js';

export interface MetaTrainer<Config = unknown, Trainee = LearnedOptimizer, Result = MetaTrainReport> {
  /** The name suite files give as `metaTrain.config.method`. */
  readonly method: string;
  /** The config's fields (strict: unknown keys are refused by `decode`). */
  readonly codec: t.Any;
  readonly defaults: Readonly<Config>;
  /**
   * A suite's `metaTrain.config` → the typed config, defaults filled in; throws naming `path` and the field.
   * `defaults` are the trainee's own (a schedule's horizon), over the trainer's.
   */
  decode(input: unknown, path: string, defaults?: Readonly<Record<string, JsonValue>>): Config;
  /** Whether it can train this learned optimizer. */
  accepts(learned: LearnedOptimizer): boolean;
  train(trainee: Trainee, family: TaskFamily, config: Config, onProgress?: ProgressCallback): Promise<Result>;
}
