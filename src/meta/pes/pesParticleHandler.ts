/**
 * The pool handler for PES particles (pesParticles.ts): φ and the particle's two
 * states from the unit's bytes, pes.ts's `advanceParticle` — the code the in-process
 * path runs — and the moved states back as bytes.
 */
import * as tf from '@tensorflow/tfjs';
import type { UnitHandler } from '../../pool/types.js';
import type { EsPairContext } from '../es/esUnits.js';
import { openPerturbationWorker } from '../es/perturbationWorker.js';
import { advanceParticle, sideTensors } from './pes.js';
import { decodeSide, encodeSide, type PesParticleResult, type PesParticleUnit } from './pesUnits.js';

export async function openPesParticleHandler(raw: unknown): Promise<UnitHandler> {
  const context = raw as EsPairContext;
  const worker = await openPerturbationWorker(context);
  return {
    async run(raw: unknown): Promise<PesParticleResult> {
      const unit = raw as PesParticleUnit;
      const base = worker.setMetaParams(unit.key, unit.metaParams);
      const particle = { plus: decodeSide(unit.plus), minus: decodeSide(unit.minus) };
      try {
        // `from` gives the truncation's step; its θ is not used (each side starts from its own).
        const from = { theta: particle.plus.theta, state: particle.plus.state, step: unit.step };
        const args = { rule: worker.rule, problem: worker.problem(unit.seeds), task: worker.task, seeds: unit.seeds, from, variables: worker.variables, config: context.config, iteration: unit.iteration };
        const losses = await advanceParticle(args, base, particle, unit.particle);
        return { ...losses, plusSide: await encodeSide(particle.plus), minusSide: await encodeSide(particle.minus) };
      } finally {
        tf.dispose([...base, ...sideTensors(particle.plus), ...sideTensors(particle.minus)]);
      }
    },
    dispose: () => worker.dispose(),
  };
}
