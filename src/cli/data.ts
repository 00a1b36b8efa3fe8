/** `alphaopt data list|fetch`: which datasets are present where, and downloading the missing ones. */
import type { Command } from 'commander';
import { CATALOG, datasetEntry } from '../data/catalog.js';
import { fetchDataset } from '../data/download.js';
import { MissingDataError, cacheDirectory, dataDirectories, locateDataset } from '../data/locate.js';
import { DATA_DIR_HELP } from './options.js';

export function registerDataCommand(program: Command): void {
  const data = program.command('data').description('list the datasets AlphaOpt reads and where they are; download missing ones');
  data
    .command('list', { isDefault: true })
    .description('for each dataset: the folder holding a complete copy, or exactly which files are missing')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action((options: { dataDir?: string }) => {
      process.stdout.write(`searched, in order: ${dataDirectories(options.dataDir).join(', ')}\n`);
      for (const name of Object.keys(CATALOG)) {
        try {
          process.stdout.write(`${name}: ${locateDataset(name, options.dataDir)}\n`);
        } catch (error) {
          if (!(error instanceof MissingDataError)) throw error;
          process.stdout.write(`${name}: missing — ${error.message}\n`);
        }
      }
    });
  data
    .command('fetch')
    .description('download datasets (MD5-verified) into --data-dir or the cache folder')
    .argument('<names...>', `datasets: ${Object.keys(CATALOG).join(', ')}`)
    .option('--data-dir <dir>', `where to put them (default ${cacheDirectory()})`)
    .option('--mirror <url>', 'download from this base URL instead of the canonical sources')
    .action(async (names: string[], options: { dataDir?: string; mirror?: string }) => {
      for (const name of names) {
        const dir = await fetchDataset(datasetEntry(name), { ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }), ...(options.mirror === undefined ? {} : { mirror: options.mirror }) });
        process.stdout.write(`${name}: ${dir}\n`);
      }
    });
}
