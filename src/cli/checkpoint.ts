/** `alphaopt checkpoint verify|hash DIR…`: check learned-optimizer checkpoints; add the weights hash to old ones. */
import type { Command } from 'commander';
import { addWeightsHash } from '../learned/checkpoint.js';
import { loadLearnedOptimizer } from '../learned/index.js';

async function verify(dir: string): Promise<void> {
  (await loadLearnedOptimizer(dir)).dispose();
}

/** Runs `job` on every folder, reports each, and fails (exit 1) when any failed. */
async function eachDir(dirs: string[], job: (dir: string) => Promise<string>): Promise<void> {
  let failed = 0;
  for (const dir of dirs) {
    try {
      process.stdout.write(`${dir}: ${await job(dir)}\n`);
    } catch (error) {
      failed++;
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  if (failed > 0) throw new Error(`${failed} of ${dirs.length} checkpoint(s) failed`);
}

export function registerCheckpointCommand(program: Command): void {
  const command = program.command('checkpoint').description('check learned-optimizer checkpoints (manifest, SHA-256, finite values) or add the hash to old ones');
  command
    .command('verify')
    .argument('<dirs...>', 'checkpoint folders (manifest.json + weights.bin)')
    .description('load each checkpoint with every check; exit 1 if any fails')
    .action((dirs: string[]) => eachDir(dirs, async (dir) => (await verify(dir), 'ok')));
  command
    .command('hash')
    .argument('<dirs...>', 'checkpoint folders')
    .description('record the SHA-256 of weights.bin in manifests that lack it (after every other check passes)')
    .action((dirs: string[]) => eachDir(dirs, async (dir) => ((await addWeightsHash(dir, verify)) ? 'hash added' : 'already hashed, verified')));
}
