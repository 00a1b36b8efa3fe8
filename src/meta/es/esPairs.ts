/**
 * ES perturbation pairs on the worker pool (src/pool/workerPool.ts): each pair of an
 * iteration is one unit (esUnits.ts) carrying everything its two meta-losses depend on — the
 * iteration and pair index (which seed its noise), the task seeds, the truncation's
 * start (θ, the rule's state, the step) and φ, tensors as exact float32 bytes — so
 * any worker computes the same numbers, and es.ts combines them in index order: the
 * meta-parameters after training are bit-identical whatever the worker count.
 * A pair whose worker dies is retried once elsewhere; a pair that fails twice stops
 * meta-training with its key.
 */
import type { LearnedOptimizer } from '../../learned/types.js';
import { WorkerPool, type PoolEvent } from '../../pool/workerPool.js';
import type { Task } from '../../tasks/types.js';
import type { MetaTrainConfig } from '../config.js';
import type { PairEvaluator, PairLosses } from './es.js';
import { esPairUnits, lossOf, perturbationContext, type EsPairUnit } from './esUnits.js';
import { provideEsPairPool } from './index.js';

export { decodeTensor, decodeTree, encodeTensor, encodeTree, esPairUnits, lossOf, perturbationContext, type EncodedTensor, type EncodedTree, type EsPairContext, type EsPairUnit } from './esUnits.js';

/** A pool of `config.workers` processes evaluating this optimizer's ES pairs on `task`; close it when done. */
export function openEsPairPool(optimizer: LearnedOptimizer, task: Task, config: MetaTrainConfig, onEvent?: (event: PoolEvent) => void): EsPairPool {
  const context = perturbationContext(optimizer, task, config, `metaTrain.workers: ${config.workers}`);
  const pool = new WorkerPool<EsPairUnit, { plus: number | null; minus: number | null }>({
    workers: config.workers,
    handler: 'esPair',
    context,
    // This process evaluates pairs too, with its own copy of the optimizer and task (its φ is not the one being trained),
    // between the unperturbed unroll and the update: two processes on two cores, not three.
    local: async () => (await import('./esPairHandler.js')).openEsPairHandler(context),
    ...(onEvent === undefined ? {} : { onEvent }),
  });
  // The children load tfjs and the task while this process validates the starting φ.
  pool.start();
  return new EsPairPool([...optimizer.metaParams.keys()], pool);
}

export class EsPairPool {
  constructor(
    private readonly names: string[],
    private readonly pool: WorkerPool<EsPairUnit, { plus: number | null; minus: number | null }>,
  ) {}

  /** The pair evaluator for es.ts: one unit per pair, results put back in index order. */
  readonly evaluate: PairEvaluator = async (args) => {
    const units = await esPairUnits(this.names, args);
    const losses: PairLosses[] = new Array<PairLosses>(units.length);
    const failures = await this.pool.run(units, async (unit, result) => {
      losses[unit.pair] = { plus: lossOf(result.plus), minus: lossOf(result.minus) };
    });
    if (failures.length > 0) throw new Error(`ES pairs failed on every try: ${failures.map((f) => `${f.key}: ${f.reasons.join(' / then: ')}`).join('; ')}`);
    return losses;
  };

  close(): void {
    this.pool.close();
  }
}

provideEsPairPool(openEsPairPool);
