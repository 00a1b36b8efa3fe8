/** Learned-optimizer kinds by name: checkpoints and suite files name a kind. */
import { CheckpointError, loadWeightsInto, readManifest } from './checkpoint.js';
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
 * refused with a message naming both.
 */
export async function loadLearnedOptimizer(dir: string, expectedKind?: string): Promise<LearnedOptimizer> {
  const manifest = await readManifest(dir);
  if (expectedKind !== undefined && manifest.kind !== expectedKind) {
    throw new CheckpointError(`${dir} holds a '${manifest.kind}' checkpoint, not '${expectedKind}'`);
  }
  const optimizer = createLearnedOptimizer(manifest.kind, manifest.hyperParams);
  try {
    await loadWeightsInto(optimizer, dir, manifest);
  } catch (error) {
    optimizer.dispose();
    throw error;
  }
  return optimizer;
}
