/**
 * ES perturbation pairs on the worker pool (src/pool/workerPool.ts): each side of each pair
 * of an iteration is one unit (esUnits.ts) carrying everything its meta-loss depends on — the
 * iteration and pair index (which seed its noise), the task seeds, the truncation's
 * start (θ, the rule's state, the step) and φ, tensors as exact float32 bytes — so
 * any worker computes the same numbers, and es.ts combines them in index order: the
 * meta-parameters after training are bit-identical whatever the worker count.
 * Sides, not whole pairs: an iteration is 2·pairs + 1 unrolls (this process also
 * unrolls the unperturbed φ), and units of one unroll let the processes finish it
 * within one unroll of each other (bench/README.md, "ES and PES on the pool").
 * A unit whose worker dies is retried once elsewhere; a unit that fails twice stops
 * meta-training with its key.
 */
import type { LearnedOptimizer } from '../../learned/types.js';
import { WorkerPool, type PoolEvent } from '../../pool/workerPool.js';
import type { Task } from '../../tasks/types.js';
import type { MetaTrainConfig } from '../config.js';
import type { PairEvaluator, PairLosses } from './es.js';
import { bySide, esPairUnits, lossOf, perturbationContext, type EsSideUnit } from './esUnits.js';
import { provideEsPairPool } from './index.js';

export { decodeTensor, decodeTree, encodeTensor, encodeTree, esPairUnits, lossOf, perturbationContext, type EncodedTensor, type EncodedTree, type EsPairContext, type EsPairUnit, type EsSideUnit } from './esUnits.js';

/** A pool of `config.workers` processes evaluating this optimizer's ES pairs on `task`; close it when done. */
export function openEsPairPool(optimizer: LearnedOptimizer, task: Task, config: MetaTrainConfig, onEvent?: (event: PoolEvent) => void): EsPairPool {
  const context = perturbationContext(optimizer, task, config, `metaTrain.workers: ${config.workers}`);
  const pool = new WorkerPool<EsSideUnit, { loss: number | null }>({
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
    private readonly pool: WorkerPool<EsSideUnit, { loss: number | null }>,
  ) {}

  /** The pair evaluator for es.ts: one unit per side of a pair, results put back in index order. */
  readonly evaluate: PairEvaluator = async (args) => {
    const units = bySide(await esPairUnits(this.names, args));
    const losses: PairLosses[] = Array.from({ length: args.config.pairs }, () => ({ plus: Number.NaN, minus: Number.NaN }));
    const failures = await this.pool.run(units, async (unit, result) => {
      losses[unit.pair]![unit.side] = lossOf(result.loss);
    });
    if (failures.length > 0) throw new Error(`ES pair sides failed on every try: ${failures.map((f) => `${f.key}: ${f.reasons.join(' / then: ')}`).join('; ')}`);
    return losses;
  };

  close(): void {
    this.pool.close();
  }
}

provideEsPairPool(openEsPairPool);
