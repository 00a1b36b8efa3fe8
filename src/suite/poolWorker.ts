/**
 * A pool worker (a child process of pool.ts): one backend, units one at a time,
 * records back over the IPC channel. It exits when the pool disconnects.
 */
import { silenceCpuBanner } from '../backend/setup.js';
import type { FromWorker, ToWorker } from './pool.js';
import { UnitRunner, type UnitContext } from './unitRunner.js';

silenceCpuBanner();
let context: UnitContext | undefined;
let runner: Promise<UnitRunner> | undefined;
let work = Promise.resolve();

const send = (message: FromWorker) => process.send!(message);

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'init') {
    context = message.context;
    return;
  }
  const { unit } = message;
  try {
    runner ??= UnitRunner.open(context!);
    const ready = await runner;
    send({ type: 'started', key: unit.key });
    send({ type: 'records', key: unit.key, records: await ready.run(unit) });
  } catch (error) {
    send({ type: 'error', key: unit.key, message: error instanceof Error ? error.message : String(error) });
  }
}

process.on('message', (message: ToWorker) => {
  work = work.then(() => handle(message));
});
process.on('disconnect', () => process.exit(0));
