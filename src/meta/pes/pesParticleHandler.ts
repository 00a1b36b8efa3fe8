/**
 * The pool handler for PES particles (pesParticles.ts): φ and the particle's states
 * from the unit's bytes, pes.ts's `advanceParticle` (both sides, the queue's jobs) or
 * `advanceParticleSide` (one side, the local pool's units) — the code the in-process
 * path runs — and the moved states back as bytes.
 */
import tf from '#tfjs';
import type { UnitHandler } from '../../pool/types.js';
import type { EsPairContext } from '../es/esUnits.js';
import { openPerturbationWorker } from '../es/perturbationWorker.js';
import { advanceParticle, advanceParticleSide, sideTensors } from './pes.js';
import { decodeSide, encodeSide, type PesParticleResult, type PesParticleUnit, type PesSideResult, type PesSideUnit } from './pesUnits.js';

export async function openPesParticleHandler(raw: unknown): Promise<UnitHandler> {
  const context = raw as EsPairContext;
  const worker = await openPerturbationWorker(context);
  return {
    async run(raw: unknown): Promise<PesParticleResult | PesSideResult> {
      const unit = raw as PesParticleUnit | PesSideUnit;
      const base = worker.setMetaParams(unit.key, unit.metaParams);
      const sides = 'side' in unit ? [decodeSide(unit.start)] : [decodeSide(unit.plus), decodeSide(unit.minus)];
      try {
        // `from` gives the truncation's step; its θ is not used (each side starts from its own).
        const from = { theta: sides[0]!.theta, state: sides[0]!.state, step: unit.step };
        const args = { rule: worker.rule, problem: worker.problem(unit.seeds), task: worker.task, seeds: unit.seeds, from, variables: worker.variables, config: context.config, iteration: unit.iteration };
        if ('side' in unit) {
          const loss = await advanceParticleSide(args, base, sides[0]!, unit.particle, unit.side);
          return { loss, moved: await encodeSide(sides[0]!) };
        }
        const particle = { plus: sides[0]!, minus: sides[1]! };
        const losses = await advanceParticle(args, base, particle, unit.particle);
        return { ...losses, plusSide: await encodeSide(particle.plus), minusSide: await encodeSide(particle.minus) };
      } finally {
        tf.dispose([...base, ...sides.flatMap(sideTensors)]);
      }
    },
    dispose: () => worker.dispose(),
  };
}
