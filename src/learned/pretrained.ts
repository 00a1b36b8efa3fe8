/**
 * Checkpoints shipped inside the package (`pretrained/<name>/`), loadable with
 * one call: `const lo = await loadPretrained('lstm-mnist')`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadLearnedOptimizer } from './registry.js';
import type { LearnedOptimizer } from './types.js';

/** The package's pretrained/ folder (the same depth below the root from src/ and dist/). */
export const PRETRAINED_DIR = fileURLToPath(new URL('../../pretrained/', import.meta.url));

export function pretrainedNames(): string[] {
  if (!existsSync(PRETRAINED_DIR)) return [];
  return readdirSync(PRETRAINED_DIR).filter((name) => existsSync(path.join(PRETRAINED_DIR, name, 'manifest.json')));
}

export function loadPretrained(name: string): Promise<LearnedOptimizer> {
  const dir = path.join(PRETRAINED_DIR, name);
  if (!existsSync(path.join(dir, 'manifest.json'))) {
    return Promise.reject(new Error(`no pretrained optimizer '${name}'; available: ${pretrainedNames().join(', ') || 'none'}`));
  }
  return loadLearnedOptimizer(dir);
}
