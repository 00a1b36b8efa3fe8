/**
 * Meta-training is the fixed cost of a suite with a learned optimizer (6.7 s of the
 * 2-D suite's 12 s), and `--replace` moves its checkpoint aside with the old results.
 * A checkpoint is reused when it was meta-trained from the same learned-optimizer entry
 * (kind, hyper-parameters, meta-training task and config) by the same code: its
 * metatrain.json carries that fingerprint, and the runner looks for a match among
 * the folder's earlier results (DIR/.previous/*) before meta-training again.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LearnedOptimizerPlan, Suite } from './decode.js';

export interface Fingerprint {
  /** Hash of the suite's entry for the learned optimizer. */
  config: string;
  /** Hash of the package's code (every .js/.ts file under dist/ or src/). */
  code: string;
}

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex').slice(0, 16);

let codeHash: Promise<string> | undefined;

/** The version of the code that runs: a hash of the files of the folder this module was loaded from (dist/ installed, src/ under tsx). */
export function codeVersion(): Promise<string> {
  codeHash ??= (async () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
    const files = (await readdir(root, { recursive: true })).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts')).sort();
    const hash = createHash('sha256');
    for (const file of files) hash.update(file).update('\0').update(await readFile(path.join(root, file))).update('\0');
    return hash.digest('hex').slice(0, 16);
  })();
  return codeHash;
}

export async function fingerprintOf(suite: Suite, plan: LearnedOptimizerPlan): Promise<Fingerprint> {
  const entry = (suite.raw as { optimizers?: Array<{ name?: unknown; learned?: unknown }> }).optimizers?.find((o) => o.name === plan.name)?.learned;
  // The checkpoint path names where to save, not what is trained.
  const { checkpoint: _, ...what } = (entry ?? {}) as Record<string, unknown>;
  // ES and PES give the same meta-parameters on any number of workers: their count is not part of what is trained.
  const metaTrain = what['metaTrain'] as { config?: Record<string, unknown> } | undefined;
  if (metaTrain?.config !== undefined && 'workers' in metaTrain.config) {
    const { workers: __, ...config } = metaTrain.config;
    what['metaTrain'] = { ...metaTrain, config };
  }
  return { config: sha(canonical(what)), code: await codeVersion() };
}

/** The newest checkpoint folder named `slug` among DIR/.previous/<time>/checkpoints/ whose metatrain.json has this fingerprint. */
export async function findReusable(out: string, slug: string, fingerprint: Fingerprint): Promise<string | undefined> {
  const previous = path.join(out, '.previous');
  if (!existsSync(previous)) return undefined;
  for (const stamp of (await readdir(previous)).sort().reverse()) {
    const dir = path.join(previous, stamp, 'checkpoints', slug);
    if (!existsSync(path.join(dir, 'manifest.json')) || !existsSync(path.join(dir, 'metatrain.json'))) continue;
    try {
      const saved = (JSON.parse(await readFile(path.join(dir, 'metatrain.json'), 'utf8')) as { fingerprint?: Fingerprint }).fingerprint;
      if (saved?.config === fingerprint.config && saved.code === fingerprint.code) return dir;
    } catch {
      // An unreadable metatrain.json is no match.
    }
  }
  return undefined;
}
