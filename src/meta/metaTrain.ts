/**
 * Meta-training a learned optimizer: its config is decoded once, by the trainer that
 * `method` names (or the first registered one that accepts the optimizer), into the
 * typed config that trainer's `train` takes.
 */
import type { JsonValue, LearnedOptimizer, MetaTrainReport, ProgressCallback } from '../learned/types.js';
import type { TaskFamily } from '../tasks/types.js';
import { metaTrainerFor, metaTrainerNamed } from './registry.js';

/** A decoded meta-training config and the method it is for. */
export interface MetaTraining {
  method: string;
  config: unknown;
}

export function decodeMetaTraining(learned: LearnedOptimizer, raw: Readonly<Record<string, JsonValue>> | undefined, path = 'metaTrain'): MetaTraining {
  const trainer = metaTrainerFor(learned, raw?.['method'], path);
  return { method: trainer.method, config: trainer.decode(raw ?? {}, path, learned.metaTrainDefaults) };
}

export function trainDecoded(learned: LearnedOptimizer, family: TaskFamily, training: MetaTraining, onProgress?: ProgressCallback): Promise<MetaTrainReport> {
  const trainer = metaTrainerNamed(training.method);
  if (trainer === undefined) throw new Error(`no meta-trainer '${training.method}'`);
  return trainer.train(learned, family, training.config, onProgress);
}

/** Decodes `config` (a suite's `metaTrain.config`) and meta-trains `learned` on tasks from `family`. */
export function metaTrain(learned: LearnedOptimizer, family: TaskFamily, config: Readonly<Record<string, JsonValue>> = {}, onProgress?: ProgressCallback): Promise<MetaTrainReport> {
  return trainDecoded(learned, family, decodeMetaTraining(learned, config), onProgress);
}
