import type { Command } from 'commander';
import { formatBackendTable, reportBackends } from '../backend/report.js';
import { positiveInteger } from './options.js';

export function registerBackendsCommand(program: Command): void {
  program
    .command('backends')
    .description('list the tfjs backends: available or not (and why), with ms per training step of the MNIST CNN (batch 8)')
    .option('--json', 'print JSON instead of a table')
    .option('--no-measure', 'skip the timing (the cpu step alone takes seconds)')
    .option('--steps <n>', 'timed steps per backend after one warm-up', positiveInteger('--steps'), 5)
    .action(async (options: { json?: boolean; measure: boolean; steps: number }) => {
      const rows = await reportBackends({ measure: options.measure, steps: options.steps });
      process.stdout.write(options.json === true ? `${JSON.stringify(rows, null, 2)}\n` : `${formatBackendTable(rows)}\n`);
    });
}
