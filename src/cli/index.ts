#!/usr/bin/env node
/** The `alphaopt` command. */
import { Command } from 'commander';
import { registerBackendsCommand } from './backends.js';

const program = new Command();
program.name('alphaopt').description('Learned optimizers and hand-designed baselines on TensorFlow.js');
registerBackendsCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`alphaopt: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
