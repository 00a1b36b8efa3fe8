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
import type { BackendRequest } from '../../backend/names.js';
import type { LearnedOptimizer } from '../../learned/types.js';
import { WorkerPool, type PoolEvent } from '../../pool/workerPool.js';
import { treeTensors } from '../../rules/index.js';
import { taskSpecOf } from '../../tasks/registry.js';
import type { Task } from '../../tasks/types.js';
import type { MetaTrainConfig } from '../config.js';
import { decodeTensor, decodeTree, encodeTensor, encodeTree, lossOf, type EncodedTensor, type EncodedTree, type EsPairContext } from '../es/esPairs.js';
import type { ParticleEvaluator, Side } from './pes.js';
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

/** A pool of `config.workers` (this process one of them) advancing this optimizer's PES particles on `task`; close it when done. */
export function openPesParticlePool(optimizer: LearnedOptimizer, task: Task, config: MetaTrainConfig, onEvent?: (event: PoolEvent) => void): { evaluate: ParticleEvaluator; close(): void } {
  const made = taskSpecOf(task);
  if (made === undefined) {
    throw new Error(`metaTrain.workers: ${config.workers} workers rebuild the task from its spec, but task '${task.id}' was not made by taskFromSpec (a suite's task entry); make it with taskFromSpec or set workers to 1`);
  }
  const context: EsPairContext = { backend: tf.getBackend() as BackendRequest, kind: optimizer.kind, hyperParams: optimizer.hyperParams, task: made, config };
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
  const evaluate: ParticleEvaluator = async ({ seeds, from, variables, iteration }, particles) => {
    const metaParams = await Promise.all(variables.map(async (v, i) => ({ name: names[i]!, value: await encodeTensor(v) })));
    const units: PesParticleUnit[] = await Promise.all(
      particles.map(async (p, particle) => ({ key: `PES iteration ${iteration} particle ${particle}`, iteration, particle, seeds: [...seeds], step: from.step, plus: await encodeSide(p.plus), minus: await encodeSide(p.minus), metaParams })),
    );
    const losses = new Array<{ plus: number; minus: number }>(particles.length);
    const failures = await pool.run(units, async (unit, result) => {
      const particle = particles[unit.particle]!;
      freeSide(particle.plus);
      freeSide(particle.minus);
      particle.plus = decodeSide(result.plusSide);
      particle.minus = decodeSide(result.minusSide);
      losses[unit.particle] = { plus: lossOf(result.plus), minus: lossOf(result.minus) };
    });
    if (failures.length > 0) throw new Error(`PES particles failed on every try: ${failures.map((f) => `${f.key}: ${f.reasons.join(' / then: ')}`).join('; ')}`);
    return losses;
  };
  return { evaluate, close: () => pool.close() };
}

providePesParticlePool(openPesParticlePool);
