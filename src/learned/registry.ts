/** Learned-optimizer kinds by name, and loading a checkpoint folder into the kind it names. */
import { readManifest, readWeightsFile } from './checkpoint.js';
import { instantiateCheckpoint } from './manifest.js';
import type { LearnedOptimizer } from './types.js';
import './builtin.js';

export { registerLearnedOptimizer, learnedKinds, createLearnedOptimizer, learnedKind, type LearnedKind } from './kinds.js';

/**
 * Loads a checkpoint. With `expectedKind`, a checkpoint of another kind is
 * refused with a message naming both.
 */
export async function loadLearnedOptimizer(dir: string, expectedKind?: string): Promise<LearnedOptimizer> {
  const manifest = await readManifest(dir);
  return instantiateCheckpoint(manifest, () => readWeightsFile(dir), dir, expectedKind);
}
