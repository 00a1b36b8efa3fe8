import path from 'node:path';
import type { Command } from 'commander';
import { BackendRequest } from '../backend/names.js';
import { setupBackend } from '../backend/setup.js';
// The queue's modules (BullMQ, ioredis: ~0.2 s of CPU to load) are imported by the commands that use them, not at every start of the CLI.
import { DEFAULT_QUEUE, suiteId } from '../queue/keys.js';
import { readSuite, type Suite } from '../suite/decode.js';
import { resolveSuiteArgument } from '../suite/shipped.js';
import { DATA_DIR_HELP } from './options.js';
import { rewriteReport } from './report.js';

const positive = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`${flag} must be a positive integer (got '${v}')`);
  return n;
};

interface SuiteFlags {
  redis: string;
  queue: string;
  backend?: string;
  seeds?: number;
  dataDir?: string;
}

/** The suite a queue command names (a file or a shipped suite's name), read with --data-dir. */
const readNamedSuite = (argument: string, flags: SuiteFlags) => readSuite(resolveSuiteArgument(argument), flags.dataDir === undefined ? {} : { dataDir: flags.dataDir });

/** The options that identify a submitted suite: the same file, seeds and backend give the same id. */
function suiteCommand(command: Command): Command {
  return command
    .argument('<suite>', 'a suite file (suites/mnist.json) or the name of a shipped suite')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6379')
    .option('--queue <name>', 'BullMQ queue name', DEFAULT_QUEUE)
    .option('--backend <name>', 'auto | cpu | wasm | webgpu | tensorflow (default: the suite\'s choice, else auto)')
    .option('--seeds <n>', 'number of seeds (default: the suite\'s)', positive('--seeds'));
}

function identify(suite: Suite, flags: SuiteFlags): { id: string; backend: BackendRequest; seeds: number } {
  if (flags.backend !== undefined && !BackendRequest.is(flags.backend)) throw new Error(`--backend must be one of auto, cpu, wasm, webgpu, tensorflow (got '${flags.backend}')`);
  const backend = (flags.backend as BackendRequest | undefined) ?? suite.backend ?? 'auto';
  const seeds = flags.seeds ?? suite.seeds;
  return { id: suiteId(suite.raw, seeds, backend), backend, seeds };
}

export function registerQueueCommands(program: Command): void {
  const queue = program.command('queue').description('run a suite on any number of machines through a Redis queue (BullMQ): submit, then status and collect');

  suiteCommand(queue.command('submit').description('add one job per run group (learned optimizers are meta-trained here and their checkpoints uploaded)'))
    .option('--out <dir>', 'where learned optimizers are meta-trained (DIR/checkpoints), default results/<suite name>')
    .action(async (file: string, flags: SuiteFlags & { out?: string }) => {
      const suite = await readNamedSuite(file, flags);
      const { backend, seeds } = identify(suite, flags);
      const { submitSuite } = await import('../queue/submit.js');
      const submitted = await submitSuite(suite, { redis: flags.redis, queue: flags.queue, backend, seeds, out: flags.out ?? path.join('results', suite.name), log: (l) => process.stderr.write(`${l}\n`) });
      process.stdout.write(`submitted ${submitted.name} as ${submitted.id}: ${submitted.jobIds.length} jobs, ${submitted.runs} runs; start workers with alphaopt worker --redis ${flags.redis}\n`);
    });

  suiteCommand(queue.command('status').description('how many of a submitted suite\'s jobs wait, run, are done or failed')).action(async (file: string, flags: SuiteFlags) => {
    const { id } = identify(await readNamedSuite(file, flags), flags);
    const { queueStatus } = await import('../queue/collect.js');
    const progress = await queueStatus({ redis: flags.redis, queue: flags.queue, suiteId: id });
    process.stdout.write(
      `${progress.suite.name} (${id}): ${Object.entries(progress.jobs).map(([state, n]) => `${n} ${state}`).join(', ')} of ${progress.suite.jobIds.length} jobs; ` +
        `${progress.runsDone}/${progress.suite.runs} runs done${progress.workers.length > 0 ? ` by ${progress.workers.join(', ')}` : ''}\n` +
        progress.failed.map((f) => `  failed: ${f.key}: ${f.reason}\n`).join(''),
    );
  });

  suiteCommand(queue.command('collect').description('write the finished runs of a submitted suite to DIR/runs.jsonl (one per run key) and the report'))
    .requiredOption('--out <dir>', 'results folder (must not hold results yet)')
    .option('--partial', 'collect even if some jobs are not finished')
    .option('--no-png', 'write SVG plots only')
    .action(async (file: string, flags: SuiteFlags & { out: string; partial?: boolean; png: boolean }) => {
      const { id } = identify(await readNamedSuite(file, flags), flags);
      const { collectSuite } = await import('../queue/collect.js');
      const collected = await collectSuite({ redis: flags.redis, queue: flags.queue, suiteId: id, out: flags.out, partial: flags.partial === true, command: `alphaopt queue ${process.argv.slice(3).join(' ')}` });
      const report = await rewriteReport(flags.out, { png: flags.png });
      process.stdout.write(`${collected.written} runs of ${collected.suite.runs} in ${flags.out}/runs.jsonl (from ${collected.workers.length} workers); report: ${report.files.length} files\n`);
    });

  queue
    .command('meta-train')
    .description("meta-train a suite's learned optimizer by ES or PES here, its population (pairs, particles) evaluated as jobs by alphaopt worker; saved where alphaopt run --out DIR loads it")
    .argument('<suite>', 'a suite file (suites/l2l-quadratic.json) or the name of a shipped suite')
    .requiredOption('--optimizer <name>', "the learned optimizer's name in the suite (its metaTrain.config.method must be 'es' or 'pes')")
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6379')
    .option('--queue <name>', 'BullMQ queue name', DEFAULT_QUEUE)
    .option('--out <dir>', 'results folder: the checkpoint goes to DIR/checkpoints/<name> (default results/<suite name>)')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--backend <name>', "auto | cpu | wasm | webgpu | tensorflow (default: the suite's choice, else auto); the workers use the same")
    .option('--job-timeout <seconds>', 'stop meta-training when a job is not finished after this long', positive('--job-timeout'))
    .action(async (file: string, flags: { optimizer: string; redis: string; queue: string; out?: string; dataDir?: string; backend?: string; jobTimeout?: number }) => {
      const suite = await readSuite(resolveSuiteArgument(file), flags.dataDir === undefined ? {} : { dataDir: flags.dataDir });
      if (flags.backend !== undefined && !BackendRequest.is(flags.backend)) throw new Error(`--backend must be one of auto, cpu, wasm, webgpu, tensorflow (got '${flags.backend}')`);
      await setupBackend((flags.backend as BackendRequest | undefined) ?? suite.backend ?? 'auto');
      const { metaTrainOnQueue } = await import('../queue/metaTrain.js');
      const out = flags.out ?? path.join('results', suite.name);
      const { dir, report } = await metaTrainOnQueue(suite, flags.optimizer, { redis: flags.redis, queue: flags.queue, out, log: (l) => process.stderr.write(`${l}\n`), ...(flags.jobTimeout === undefined ? {} : { timeoutMs: flags.jobTimeout * 1000 }) });
      process.stdout.write(`${flags.optimizer}: meta-trained in ${(report.wallMs / 1000).toFixed(1)} s, its population on queue '${flags.queue}'; checkpoint ${dir} (alphaopt run ${file} --out ${out} loads it)\n`);
    });

  program
    .command('worker')
    .description('take run groups from the queue until stopped (SIGINT/SIGTERM finish the current jobs first)')
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://10.0.0.5:6379')
    .option('--queue <name>', 'BullMQ queue name', DEFAULT_QUEUE)
    .option('--concurrency <n>', 'jobs at once, each in its own process (default: one per core)', positive('--concurrency'))
    .option('--lock-ms <ms>', 'a job whose worker is silent this long is given to another worker', positive('--lock-ms'), 30_000)
    .option('--work <dir>', 'where this machine keeps checkpoints (default: a folder in the system temp dir)')
    .option('--name <name>', 'this worker\'s name in job records (default: host:pid)')
    .option('--drain', 'exit when the queue is empty')
    .option('--data-dir <dir>', 'where this machine keeps the datasets (sets ALPHAOPT_DATA for its jobs)')
    .action(async (flags: { redis: string; queue: string; concurrency?: number; lockMs: number; work?: string; name?: string; drain?: boolean; dataDir?: string }) => {
      // Jobs run in sandboxed child processes, which inherit the environment: ALPHAOPT_DATA is the documented way to point them at data.
      if (flags.dataDir !== undefined) process.env['ALPHAOPT_DATA'] = path.resolve(flags.dataDir);
      // Fail now, with the address, rather than retry in the background.
      const [{ connectRedis }, { startWorker }] = await Promise.all([import('../queue/redis.js'), import('../queue/worker.js')]);
      (await connectRedis(flags.redis)).disconnect();
      const worker = startWorker({ ...flags, log: (l) => process.stderr.write(`${new Date().toISOString()} ${l}\n`) });
      await new Promise<void>((resolve) => {
        const stop = () => void worker.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        if (flags.drain === true) worker.on('drained', stop);
      });
    });
}
