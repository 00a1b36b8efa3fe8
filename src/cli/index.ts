#!/usr/bin/env node
/** The `alphaopt` command. */
import { Command } from 'commander';
import { silenceCpuBanner } from '../backend/setup.js';
import { registerBackendsCommand } from './backends.js';
import { registerCheckpointCommand } from './checkpoint.js';
import { registerDataCommand } from './data.js';
import { registerMergeCommand } from './merge.js';
import { registerQueueCommands } from './queue.js';
import { registerReportCommand } from './report.js';
import { registerRunCommand } from './run.js';
import { registerSuitesCommand } from './suites.js';
import { packageVersion } from '../package.js';
import { registerServeCommand } from './serve.js';

silenceCpuBanner();
const program = new Command();
program.name('alphaopt').description('Learned optimizers and hand-designed baselines on TensorFlow.js').version(packageVersion(), '-V, --version', 'print the AlphaOpt version');
registerBackendsCommand(program);
registerRunCommand(program);
registerSuitesCommand(program);
registerReportCommand(program);
registerDataCommand(program);
registerCheckpointCommand(program);
registerServeCommand(program);
registerMergeCommand(program);
registerQueueCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`alphaopt: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
