#!/usr/bin/env node
/** The `alphaopt` command. */
import { Command } from 'commander';
import { silenceCpuBanner } from '../backend/setup.js';
import { registerBackendsCommand } from './backends.js';
import { registerDataCommand } from './data.js';
import { registerMergeCommand } from './merge.js';
import { registerQueueCommands } from './queue.js';
import { registerReportCommand } from './report.js';
import { registerRunCommand } from './run.js';

silenceCpuBanner();
const program = new Command();
program.name('alphaopt').description('Learned optimizers and hand-designed baselines on TensorFlow.js');
registerBackendsCommand(program);
registerRunCommand(program);
registerReportCommand(program);
registerDataCommand(program);
registerMergeCommand(program);
registerQueueCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`alphaopt: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
