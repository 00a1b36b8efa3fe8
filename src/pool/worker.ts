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
/** Units received and not started yet; of those, the ones the pool took back ('cancel': its process runs them). */
const waiting = new Set<string>();
const cancelled = new Set<string>();
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

const send = (message: FromWorker) => process.send!(message);

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'init') {
    const { handler: name, context } = message;
    // Opened now, not at the first unit: loading tfjs and the backend overlaps whatever the pool's process does meanwhile.
    handler = HANDLERS[name](context);
    handler.then(() => send({ type: 'ready' }), () => undefined);
    return;
  }
  if (message.type !== 'unit') return;
  const { unit } = message;
  try {
    const ready = await handler!;
    // Two turns of the event loop, a poll phase between them: a 'cancel' sent while the previous unit ran is read now.
    await turn();
    await turn();
    waiting.delete(unit.key);
    if (cancelled.delete(unit.key)) {
      send({ type: 'cancelled', key: unit.key });
      return;
    }
    const cpu = process.cpuUsage();
    send({ type: 'started', key: unit.key, cpuMs: (cpu.user + cpu.system) / 1000 });
    send({ type: 'result', key: unit.key, result: await ready.run(unit) });
  } catch (error) {
    send({ type: 'error', key: unit.key, message: error instanceof Error ? error.message : String(error) });
  }
}

process.on('message', (message: ToWorker) => {
  // Read at once, not queued behind the units: it concerns one of them. A unit already started is run to the end.
  if (message.type === 'cancel') {
    if (waiting.has(message.key)) cancelled.add(message.key);
    return;
  }
  if (message.type === 'unit') waiting.add(message.unit.key);
  work = work.then(() => handle(message));
});
process.on('disconnect', () => process.exit(0));
