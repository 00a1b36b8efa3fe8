/** `alphaopt suites`: the suites shipped with the package, runnable by name (`alphaopt run 2d`). */
import type { Command } from 'commander';
import { SHIPPED_SUITES_DIR, shippedSuites } from '../suite/shipped.js';

export function registerSuitesCommand(program: Command): void {
  program
    .command('suites')
    .description('list the shipped suites (run one by name: alphaopt run 2d)')
    .action(() => {
      const suites = shippedSuites();
      const width = Math.max(...suites.map((s) => s.name.length));
      const lines = suites.map((s) => `  ${s.name.padEnd(width)}  ${s.description.length > 110 ? `${s.description.slice(0, 109)}…` : s.description}`);
      process.stdout.write(`shipped suites (run one by name: alphaopt run <name>), in ${SHIPPED_SUITES_DIR}:\n${lines.join('\n')}\n`);
    });
}
