import type { Command } from 'commander';
import { mergeFolders } from '../suite/merge.js';
import { rewriteReport } from './report.js';

export function registerMergeCommand(program: Command): void {
  program
    .command('merge')
    .description('merge the results folders of a suite\'s shards (alphaopt run --shard i/N) into one, deduplicated by run key, and write its report')
    .argument('<dirs...>', 'shard folders, e.g. results/cifar10/shard-*')
    .requiredOption('--out <dir>', 'the merged results folder (must not hold results yet)')
    .option('--partial', 'merge even if some shards are missing')
    .option('--no-png', 'write SVG plots only')
    .action(async (dirs: string[], options: { out: string; partial?: boolean; png: boolean }) => {
      const merged = await mergeFolders(dirs, options.out, { partial: options.partial === true, command: `alphaopt merge ${process.argv.slice(3).join(' ')}` });
      for (const warning of merged.warnings) process.stderr.write(`warning: ${warning}\n`);
      const report = await rewriteReport(options.out, { png: options.png });
      process.stdout.write(
        `${merged.runs} runs from ${dirs.length} folders in ${options.out}/runs.jsonl` +
          `${merged.duplicates > 0 ? ` (${merged.duplicates} duplicate records dropped)` : ''}${merged.malformed > 0 ? ` (${merged.malformed} malformed lines skipped)` : ''}; ` +
          `report: ${report.files.length} files\n`,
      );
    });
}
