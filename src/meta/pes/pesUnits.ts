/**
 * PES particles as units of work that cross a process or machine boundary as JSON (the
 * local pool's, pesParticles.ts, and the queue's, src/queue/perturbations.ts): a
 * particle's two optimizee states as exact bytes both ways.
 */
import tf from '#tfjs';
import { treeTensors } from '../../rules/index.js';
import type { PairLosses, PairSide } from '../es/es.js';
import { decodeTensor, decodeTree, encodeTensor, encodeTree, lossOf, PAIR_SIDES, type EncodedTensor, type EncodedTree } from '../es/esUnits.js';
import type { EstimateArgs } from '../estimator.js';
import type { ParticleSides, Side } from './pes.js';

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


/**
 * One side of a particle (the local pool's unit, like ES's sides: esUnits.ts): the particle index, which side, that
 * side's optimizee state; its result is the side's meta-loss and its moved state.
 */
export interface PesSideUnit extends Omit<PesParticleUnit, 'plus' | 'minus'> {
  side: PairSide;
  start: EncodedSide;
}

export interface PesSideResult {
  loss: number | null;
  moved: EncodedSide;
}

/** A truncation's particles as side units, each with only its own side's state. */
export async function pesSideUnits(names: readonly string[], { seeds, from, variables, iteration }: EstimateArgs, particles: ParticleSides[]): Promise<PesSideUnit[]> {
  const metaParams = await Promise.all(variables.map(async (v, i) => ({ name: names[i]!, value: await encodeTensor(v) })));
  const units = particles.map((p, particle) =>
    PAIR_SIDES.map(async (side) => ({ key: `PES iteration ${iteration} particle ${particle} ${side}`, iteration, particle, side, seeds: [...seeds], step: from.step, start: await encodeSide(p[side]), metaParams })),
  );
  return Promise.all(units.flat());
}

/** A side's result: its moved state replaces the old one (freed); its meta-loss is returned. */
export function applySideResult(particles: ParticleSides[], unit: PesSideUnit, result: PesSideResult): number {
  const particle = particles[unit.particle]!;
  freeSide(particle[unit.side]);
  particle[unit.side] = decodeSide(result.moved);
  return lossOf(result.loss);
}
