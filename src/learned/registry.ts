/** Learned-optimizer kinds by name: checkpoints and suite files name a kind. */
import path from 'node:path';
import { CheckpointError, loadWeightsInto, readCheckedWeights, readManifest } from './checkpoint.js';
import type { JsonValue, LearnedOptimizer } from './types.js';

export type LearnedFactory = (hyperParams: Record<string, JsonValue>) => LearnedOptimizer;

const KINDS = new Map<string, LearnedFactory>();

export function registerLearnedOptimizer(kind: string, factory: LearnedFactory): void {
  KINDS.set(kind, factory);
}

export function learnedKinds(): string[] {
  return [...KINDS.keys()];
}

export function createLearnedOptimizer(kind: string, hyperParams: Record<string, JsonValue> = {}): LearnedOptimizer {
  const factory = KINDS.get(kind);
  if (factory === undefined) throw new Error(`unknown learned optimizer kind '${kind}'; known kinds: ${learnedKinds().join(', ')}`);
  return factory(hyperParams);
}

/**
 * Loads a checkpoint. With `expectedKind`, a checkpoint of another kind is
 * refused with a message naming both. The weights are checked (hash, size, finite
 * values) before anything is allocated; every failure is a `CheckpointError` naming the file.
 */
export async function loadLearnedOptimizer(dir: string, expectedKind?: string): Promise<LearnedOptimizer> {
  const manifest = await readManifest(dir);
  const manifestFile = path.join(dir, 'manifest.json');
  if (expectedKind !== undefined && manifest.kind !== expectedKind) {
    throw new CheckpointError(`${dir} holds a '${manifest.kind}' checkpoint, not '${expectedKind}'`);
  }
  if (!KINDS.has(manifest.kind)) throw new CheckpointError(`${manifestFile}: unknown learned optimizer kind '${manifest.kind}'; known kinds: ${learnedKinds().join(', ')}`);
  const floats = await readCheckedWeights(dir, manifest);
  let optimizer: LearnedOptimizer;
  try {
    optimizer = createLearnedOptimizer(manifest.kind, manifest.hyperParams);
  } catch (error) {
    throw new CheckpointError(`${manifestFile}: its hyperParams do not build a '${manifest.kind}' optimizer: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    loadWeightsInto(optimizer, dir, manifest, floats);
  } catch (error) {
    optimizer.dispose();
    throw error;
  }
  return optimizer;
}
