/**
 * PES particles on the worker pool (src/pool/workerPool.ts), like ES's pairs
 * (esPairs.ts): each side of each particle of a truncation is one unit carrying
 * everything its truncation depends on — the iteration and particle index (which seed
 * its noise), the side, the task seeds, the step, φ and that side's optimizee state,
 * tensors as exact float32 bytes — and its result brings the meta-loss and the moved
 * state back. The particles' states live in this process between truncations (so any
 * worker can take any particle, and a worker's death loses nothing); pes.ts combines
 * the losses in index order: the meta-parameters are bit-identical whatever the
 * worker count.
 */
import type { LearnedOptimizer } from '../../learned/types.js';
import { WorkerPool, type PoolEvent } from '../../pool/workerPool.js';
import type { Task } from '../../tasks/types.js';
import type { MetaTrainConfig } from '../config.js';
import type { PairLosses } from '../es/es.js';
import { perturbationContext } from '../es/esUnits.js';
import type { ParticleEvaluator } from './pes.js';
import { applySideResult, pesSideUnits, type PesSideResult, type PesSideUnit } from './pesUnits.js';
import { providePesParticlePool } from './index.js';

export { applyParticleResult, applySideResult, decodeSide, encodeSide, pesParticleUnits, pesSideUnits, type EncodedSide, type PesParticleResult, type PesParticleUnit, type PesSideResult, type PesSideUnit } from './pesUnits.js';

/** A pool of `config.workers` (this process one of them) advancing this optimizer's PES particles on `task`; close it when done. */
export function openPesParticlePool(optimizer: LearnedOptimizer, task: Task, config: MetaTrainConfig, onEvent?: (event: PoolEvent) => void): { evaluate: ParticleEvaluator; close(): void } {
  const context = perturbationContext(optimizer, task, config, `metaTrain.workers: ${config.workers}`);
  const pool = new WorkerPool<PesSideUnit, PesSideResult>({
    workers: config.workers,
    handler: 'pesParticle',
    context,
    // As for ES: this process advances particles too, with its own copy of the optimizer and task.
    local: async () => (await import('./pesParticleHandler.js')).openPesParticleHandler(context),
    ...(onEvent === undefined ? {} : { onEvent }),
  });
  pool.start();
  const names = [...optimizer.metaParams.keys()];
  const evaluate: ParticleEvaluator = async (args, particles) => {
    const units = await pesSideUnits(names, args, particles);
    const losses: PairLosses[] = particles.map(() => ({ plus: Number.NaN, minus: Number.NaN }));
    const failures = await pool.run(units, async (unit, result) => {
      losses[unit.particle]![unit.side] = applySideResult(particles, unit, result);
    });
    if (failures.length > 0) throw new Error(`PES particle sides failed on every try: ${failures.map((f) => `${f.key}: ${f.reasons.join(' / then: ')}`).join('; ')}`);
    return losses;
  };
  return { evaluate, close: () => pool.close() };
}

providePesParticlePool(openPesParticlePool);
