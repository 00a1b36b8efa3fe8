import path from 'node:path';
import type { Command } from 'commander';
import { BackendRequest } from '../backend/names.js';
import { readSuite } from '../suite/decode.js';
import { runSuite } from '../suite/runner.js';
import { resolveSuiteArgument } from '../suite/shipped.js';
import { parseShard, type Shard } from '../suite/shard.js';
import { DATA_DIR_HELP, positiveInteger } from './options.js';

function parseWorkers(v: string): number | 'auto' {
  if (v === 'auto') return 'auto';
  const n = Number(v);
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`--workers must be a positive integer or auto (got '${v}')`);
  return n;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run a comparison suite: appends one record per finished run to DIR/runs.jsonl, then writes the report')
    .argument('<suite>', 'a suite file (my-suite.json) or the name of a shipped suite (2d; see alphaopt suites)')
    .option('--backend <name>', 'auto | cpu | wasm | webgpu | tensorflow (default: the suite\'s choice, else auto)')
    .option('--out <dir>', 'results directory (default: results/<suite name>)')
    .option('--resume', 'continue an interrupted run: skip runs already in DIR/runs.jsonl')
    .option('--replace', 'move existing results in DIR aside (to DIR/.previous/<time>/) and start afresh')
    .option('--seeds <n>', 'number of seeds (default: the suite\'s)', positiveInteger('--seeds'))
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--workers <n>', 'worker processes for the run groups: a number, or auto = one per core on wasm/cpu (1 on GPU backends); 1 runs in this process', parseWorkers, 'auto')
    .option('--shard <i/N>', 'run only shard i of N (counted from 0); join the shards\' folders with alphaopt merge', parseShard)
    .option('--memory-limit <MiB>', 'memory one group of runs may use (default: the backend\'s: 4 GiB of wasm heap, the machine\'s memory for cpu/tensorflow)', (v) => {
      const n = Number.parseFloat(v);
      if (!(n > 0)) throw new Error(`--memory-limit must be a positive number of MiB (got '${v}')`);
      return n;
    })
    .action(async (argument: string, options: { backend?: string; out?: string; resume?: boolean; replace?: boolean; seeds?: number; dataDir?: string; workers: number | 'auto'; shard?: Shard; memoryLimit?: number }) => {
      if (options.backend !== undefined && !BackendRequest.is(options.backend)) {
        throw new Error(`--backend must be one of auto, cpu, wasm, webgpu, tensorflow (got '${options.backend}')`);
      }
      if (options.resume === true && options.replace === true) throw new Error('--resume and --replace exclude each other');
      const suite = await readSuite(resolveSuiteArgument(argument), options.dataDir === undefined ? {} : { dataDir: options.dataDir });
      const out = options.out ?? path.join('results', suite.name);
      const summary = await runSuite(suite, {
        out,
        ...(options.backend === undefined ? {} : { backend: options.backend as BackendRequest }),
        resume: options.resume === true,
        replace: options.replace === true,
        ...(options.seeds === undefined ? {} : { seeds: options.seeds }),
        workers: options.workers,
        ...(options.shard === undefined ? {} : { shard: options.shard }),
        ...(options.memoryLimit === undefined ? {} : { memoryLimit: options.memoryLimit * 2 ** 20 }),
        log: (line) => process.stderr.write(`${line}\n`),
        command: `alphaopt run ${process.argv.slice(3).join(' ')}`,
      });
      const winners = summary.report.summary.map((t) => `${t.task}: ${t.optimizers.find((o) => o.rank === 1)?.optimizer ?? '—'}`);
      process.stdout.write(
        `${summary.runs} runs in ${(summary.wallMs / 1000).toFixed(1)} s on ${summary.backend.backend}` +
          `${summary.skipped > 0 ? ` (${summary.skipped} already done)` : ''}; results in ${out}/summary.md\n` +
          `winners — ${winners.join('; ')}\n`,
      );
    });
}
