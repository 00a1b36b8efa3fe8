/**
 * PES particles on the worker pool (src/pool/workerPool.ts), like ES's pairs
 * (esPairs.ts): each particle of a truncation is one unit carrying everything its
 * truncation depends on — the iteration and particle index (which seed its noise),
 * the task seeds, the step, φ and the particle's two optimizee states, tensors as exact
 * float32 bytes — and its result brings the two meta-losses and the two moved states
 * back. The particles' states live in this process between truncations (so any
 * worker can take any particle, and a worker's death loses nothing); pes.ts combines
 * the losses in index order: the meta-parameters are bit-identical whatever the
 * worker count.
 */
import * as tf from '@tensorflow/tfjs';
import type { LearnedOptimizer } from '../../learned/types.js';
import { WorkerPool, type PoolEvent } from '../../pool/workerPool.js';
import { treeTensors } from '../../rules/index.js';
import type { Task } from '../../tasks/types.js';
import type { MetaTrainConfig } from '../config.js';
import type { PairLosses } from '../es/es.js';
import { decodeTensor, decodeTree, encodeTensor, encodeTree, lossOf, perturbationContext, type EncodedTensor, type EncodedTree } from '../es/esPairs.js';
import type { EstimateArgs } from '../estimator.js';
import type { ParticleEvaluator, ParticleSides, Side } from './pes.js';
import { providePesParticlePool } from './index.js';

export interface EncodedSide {
  theta: EncodedTensor;
  state: EncodedTree;
}

export interface PesParticleUnit {
  key: string;
  iteration: number;
  particle: number;
  seeds: number[];
  step: number;
  plus: EncodedSide;
  minus: EncodedSide;
  /** φ, by meta-parameter name, in the optimizer's order. */
  metaParams: Array<{ name: string; value: EncodedTensor }>;
}

export interface PesParticleResult {
  plus: number | null;
  minus: number | null;
  plusSide: EncodedSide;
  minusSide: EncodedSide;
}

export const encodeSide = async (side: Side): Promise<EncodedSide> => ({ theta: await encodeTensor(side.theta), state: await encodeTree(side.state) });
export const decodeSide = (e: EncodedSide): Side => ({ theta: decodeTensor(e.theta) as tf.Tensor2D, state: decodeTree(e.state) });
const freeSide = (side: Side) => tf.dispose([side.theta, ...treeTensors(side.state)]);

/** A truncation's particles as units (the pool's, or a queue's jobs): φ named by `names`, each particle's two states. */
export async function pesParticleUnits(names: readonly string[], { seeds, from, variables, iteration }: EstimateArgs, particles: ParticleSides[]): Promise<PesParticleUnit[]> {
  const metaParams = await Promise.all(variables.map(async (v, i) => ({ name: names[i]!, value: await encodeTensor(v) })));
  return Promise.all(
    particles.map(async (p, particle) => ({ key: `PES iteration ${iteration} particle ${particle}`, iteration, particle, seeds: [...seeds], step: from.step, plus: await encodeSide(p.plus), minus: await encodeSide(p.minus), metaParams })),
  );
}

/** A particle's result: its moved states replace its old ones (freed); its two meta-losses are returned. */
export function applyParticleResult(particles: ParticleSides[], unit: PesParticleUnit, result: PesParticleResult): PairLosses {
  const particle = particles[unit.particle]!;
  freeSide(particle.plus);
  freeSide(particle.minus);
  particle.plus = decodeSide(result.plusSide);
  particle.minus = decodeSide(result.minusSide);
  return { plus: lossOf(result.plus), minus: lossOf(result.minus) };
}

/** A pool of `config.workers` (this process one of them) advancing this optimizer's PES particles on `task`; close it when done. */
export function openPesParticlePool(optimizer: LearnedOptimizer, task: Task, config: MetaTrainConfig, onEvent?: (event: PoolEvent) => void): { evaluate: ParticleEvaluator; close(): void } {
  const context = perturbationContext(optimizer, task, config, `metaTrain.workers: ${config.workers}`);
  const pool = new WorkerPool<PesParticleUnit, PesParticleResult>({
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
    const units = await pesParticleUnits(names, args, particles);
    const losses: PairLosses[] = new Array<PairLosses>(particles.length);
    const failures = await pool.run(units, async (unit, result) => {
      losses[unit.particle] = applyParticleResult(particles, unit, result);
    });
    if (failures.length > 0) throw new Error(`PES particles failed on every try: ${failures.map((f) => `${f.key}: ${f.reasons.join(' / then: ')}`).join('; ')}`);
    return losses;
  };
  return { evaluate, close: () => pool.close() };
}

providePesParticlePool(openPesParticlePool);
