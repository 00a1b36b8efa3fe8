/**
 * The meta-trainers, one line each, and what picks one: a config's `method`, else the
 * first registered trainer that accepts the learned optimizer (its default method).
 */
import type { LearnedOptimizer } from '../learned/types.js';
import { actorCriticTrainer } from './actorCritic/index.js';
import { bpttTrainer } from './bptt/index.js';
import { dqnTrainer } from './dqn/index.js';
import { esTrainer } from './es/index.js';
import { mamlTrainer } from './maml/index.js';
import { pesTrainer } from './pes/index.js';
import { ppoTrainer } from './ppo/index.js';
import type { MetaTrainer } from './trainer.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry has its own config type; `decode` makes the one `train` takes
type AnyTrainer = MetaTrainer<any, any, any>;

const TRAINERS: readonly AnyTrainer[] = [
  bpttTrainer,
  esTrainer,
  pesTrainer,
  ppoTrainer,
  dqnTrainer,
  actorCriticTrainer,
  mamlTrainer,
];

export function metaTrainers(): readonly AnyTrainer[] {
  return TRAINERS;
}

export function metaTrainerNamed(method: string): AnyTrainer | undefined {
  return TRAINERS.find((t) => t.method === method);
}

/** The trainer for `learned` (`method` from its config, if given); throws naming `path` when there is none. */
export function metaTrainerFor(learned: LearnedOptimizer, method: unknown, path = 'metaTrain'): MetaTrainer<unknown> {
  const accepting = TRAINERS.filter((t) => t.accepts(learned));
  if (method === undefined) {
    if (accepting.length === 0) throw new Error(`${path}: no meta-trainer trains a '${learned.kind}' optimizer`);
    return accepting[0]!;
  }
  const named = TRAINERS.find((t) => t.method === method);
  if (named === undefined) throw new Error(`${path}.method: unknown meta-training method ${JSON.stringify(method)}; expected one of ${accepting.map((t) => t.method).join(', ')}`);
  if (!named.accepts(learned)) throw new Error(`${path}.method: '${named.method}' cannot train a '${learned.kind}' optimizer; expected one of ${accepting.map((t) => t.method).join(', ')}`);
  return named;
}
