/** What the pool's workers run, by name (the handlers themselves are loaded lazily in handlers.ts). */
export interface UnitHandler {
  run(unit: unknown): Promise<unknown>;
  /** Frees what the handler holds (tensors of an in-process handler); the pool calls it on close. */
  dispose?(): void;
}

/** The handlers a worker can open: a suite's run groups, ES perturbation pairs, PES particles. */
export type HandlerName = 'suite' | 'esPair' | 'pesParticle';
