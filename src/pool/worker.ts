/**
 * A pool worker (a child process of workerPool.ts): one backend, one handler, units
 * one at a time, results back over the IPC channel. It exits when the pool disconnects.
 */
import { silenceCpuBanner } from '../backend/setup.js';
import { HANDLERS, type UnitHandler } from './handlers.js';
import type { FromWorker, ToWorker } from './workerPool.js';

silenceCpuBanner();
let handler: Promise<UnitHandler> | undefined;
let work = Promise.resolve();

const send = (message: FromWorker) => process.send!(message);

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'init') {
    const { handler: name, context } = message;
    // Opened now, not at the first unit: loading tfjs and the backend overlaps whatever the pool's process does meanwhile.
    handler = HANDLERS[name](context);
    handler.catch(() => undefined);
    return;
  }
  const { unit } = message;
  try {
    const ready = await handler!;
    const cpu = process.cpuUsage();
    send({ type: 'started', key: unit.key, cpuMs: (cpu.user + cpu.system) / 1000 });
    send({ type: 'result', key: unit.key, result: await ready.run(unit) });
  } catch (error) {
    send({ type: 'error', key: unit.key, message: error instanceof Error ? error.message : String(error) });
  }
}

process.on('message', (message: ToWorker) => {
  work = work.then(() => handle(message));
});
process.on('disconnect', () => process.exit(0));
