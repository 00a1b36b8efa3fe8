/**
 * The child of bench/pool-startup.ts: a process started like a pool worker that opens
 * the handler the way src/pool/worker.ts does, stage by stage, and reports the CPU time
 * (all threads, split into the main thread and V8's helpers) each stage took. Only
 * node built-ins are imported before the first reading.
 */
import { cpuTime, type CpuTime } from './cpuTime.js';

const at = (): { cpuMs: number; split: CpuTime | undefined; wallMs: number } => {
  const u = process.cpuUsage();
  return { cpuMs: (u.user + u.system) / 1000, split: cpuTime(), wallMs: performance.now() };
};
const boot = at();

export interface ProbeRequest {
  handler: 'suite' | 'esPair' | 'pesParticle';
  context: unknown;
  /** Run in order, `repeats` times over (the first pass is cold). */
  units: Array<{ key: string }>;
  /** The handler's module (what src/pool/handlers.ts imports for it), imported as its own stage. */
  module: string;
  /** A suite's task to prepare (data) as its own stage, before the handler opens. */
  prepareTask?: string;
  repeats: number;
}
export interface Stage {
  stage: string;
  cpuMs: number;
  mainMs?: number;
  helpersMs?: number;
  wallMs: number;
}

process.once('message', (request: ProbeRequest) => {
  void (async () => {
    const stages: Stage[] = [{ stage: 'node start-up and this script', cpuMs: boot.cpuMs, ...(boot.split === undefined ? {} : { mainMs: boot.split.mainMs, helpersMs: boot.split.helpersMs }), wallMs: boot.wallMs }];
    let last = boot;
    const mark = (stage: string) => {
      const now = at();
      stages.push({ stage, cpuMs: now.cpuMs - last.cpuMs, ...(now.split === undefined || last.split === undefined ? {} : { mainMs: now.split.mainMs - last.split.mainMs, helpersMs: now.split.helpersMs - last.split.helpersMs }), wallMs: now.wallMs - last.wallMs });
      last = now;
    };
    const { HANDLERS } = await import('../src/pool/handlers.js');
    const { silenceCpuBanner, setupBackend } = await import('../src/backend/setup.js');
    silenceCpuBanner();
    mark('import the pool worker and backend set-up modules (tfjs)');
    await import(request.module);
    mark(`import the handler module (${request.module.replace(/^.*\/src\//, 'src/')})`);
    const context = request.context as { backend: 'wasm' | 'cpu' };
    await setupBackend(context.backend);
    mark(`set up the ${context.backend} backend`);
    if (request.prepareTask !== undefined) {
      const { decodeSuite } = await import('../src/suite/decode.js');
      const { prepareTask } = await import('../src/suite/prepare.js');
      const c = request.context as { suiteRaw: unknown; suiteFile: string };
      const task = decodeSuite(c.suiteRaw, c.suiteFile).tasks.find((t) => t.id === request.prepareTask)!;
      await prepareTask(task);
      mark(`prepare task ${task.id} (its data)`);
    }
    const handler = await HANDLERS[request.handler](request.context);
    mark('open the handler');
    for (let i = 0; i < request.repeats; i++) {
      for (const unit of request.units) await handler.run(unit);
      const what = request.units.length === 1 ? 'unit' : `${request.units.length} units`;
      mark(i === 0 ? `first ${what}` : `the same ${what} again (${i + 1})`);
    }
    process.send!(stages, () => process.exit(0));
  })();
});
