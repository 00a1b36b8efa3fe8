/**
 * How a suite lives in Redis beside BullMQ's own keys: its id (a hash of what
 * determines its records), its description (read by workers and `collect`), the
 * checkpoints of its learned optimizers, and one job per run group with an id
 * derived from the group's runs — so submitting twice adds nothing, and a job redone
 * after a worker's death is still one job with one result.
 */
import { createHash } from 'node:crypto';
import type { BackendRequest } from '../backend/names.js';
import type { EsPairContext, EsPairUnit } from '../meta/es/esUnits.js';
import type { PesParticleUnit } from '../meta/pes/pesUnits.js';
import type { Unit } from '../suite/unit.js';

export const DEFAULT_QUEUE = 'alphaopt';

/** What workers and `collect` need to know about a submitted suite. */
export interface SubmittedSuite {
  id: string;
  name: string;
  raw: unknown;
  /** The suite file as the submitter named it: relative dataset and checkpoint paths resolve against it on each worker. */
  file: string;
  backend: BackendRequest;
  seeds: number;
  steps: number;
  jobIds: string[];
  runs: number;
  /** Learned optimizers whose checkpoints the submitter uploaded (under checkpointKey). */
  checkpoints: string[];
  submitted: string;
}

export interface SuiteJobData {
  suiteId: string;
  unit: Unit;
}

/** An ES pair or a PES particle (src/queue/perturbations.ts): run by the pool's handler of that name, with this context. */
export interface PerturbationJobData {
  kind: 'esPair' | 'pesParticle';
  context: EsPairContext;
  unit: EsPairUnit | PesParticleUnit;
}

export type JobData = SuiteJobData | PerturbationJobData;

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));

export function suiteId(raw: unknown, seeds: number, backend: BackendRequest): string {
  return createHash('sha256').update(canonical({ raw, seeds, backend })).digest('hex').slice(0, 16);
}

/** BullMQ job ids may not contain ':'. */
export const jobId = (id: string, unit: Unit) => `${id}-${createHash('sha256').update(unit.key).digest('hex').slice(0, 16)}`;
export const suiteKey = (queue: string, id: string) => `alphaopt:${queue}:suite:${id}`;
export const checkpointKey = (queue: string, id: string, optimizer: string) => `alphaopt:${queue}:checkpoint:${id}:${optimizer}`;
