/**
 * What pool workers can run, by name: each handler opens once per worker with the
 * pool's context and then runs units one at a time. Loaded lazily, so a worker only
 * loads the modules its handler needs.
 */
import type { HandlerName, UnitHandler } from './types.js';

export type { HandlerName, UnitHandler } from './types.js';

export const HANDLERS: Record<HandlerName, (context: unknown) => Promise<UnitHandler>> = {
  /** A suite's run groups (src/suite/unit.ts), records back. */
  suite: async (context: unknown): Promise<UnitHandler> => (await import('../suite/unitHandler.js')).openSuiteHandler(context),
  /** ES perturbation pairs (src/meta/esPairs.ts), the pair's two meta-losses back. */
  esPair: async (context: unknown): Promise<UnitHandler> => (await import('../meta/es/esPairHandler.js')).openEsPairHandler(context),
  /** PES particles (src/meta/pes/pesParticles.ts), the particle's two meta-losses and moved states back. */
  pesParticle: async (context: unknown): Promise<UnitHandler> => (await import('../meta/pes/pesParticleHandler.js')).openPesParticleHandler(context),
};
