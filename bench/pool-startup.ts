/**
 * Where a pool child's CPU time goes before and during its first unit (issue #17): for
 * the 2-D suite, the MNIST-MLP suite, ES pairs and PES particles of bench:parallel, a
 * child process (pool-startup-child.ts) opens the pool's handler stage by stage —
 * tfjs, the handler's modules, the backend, the task's data, the handler — then runs
 * a real unit (the first the pool would send) several times. The first run less a
 * later one is the JIT warm-up a cold process pays on its first unit. CPU time
 * (user + system, all threads; main thread and V8 helpers apart) does not depend on
 * the machine's load the way wall time does.
 *
 *   npm run bench:pool-startup -- --data DIR [--only 2d,mnist,es,pes] [--repeats 3] [--all] [--cpu-prof DIR]
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLearnedOptimizer } from '../src/learned/index.js';
import { decodeMetaTrainConfig } from '../src/meta/config.js';
import { esEstimatorWith, inProcessPairs } from '../src/meta/es/es.js';
import { esPairUnits, perturbationContext } from '../src/meta/es/esUnits.js';
import { inProcessParticles, pesEstimator, type ParticleSides } from '../src/meta/pes/pes.js';
import { pesParticleUnits } from '../src/meta/pes/pesUnits.js';
import { trainTruncated } from '../src/meta/truncated.js';
import { planGroups } from '../src/suite/plan.js';
import { balancedUnits } from '../src/suite/pool.js';
import { familyOf, taskFromSpec } from '../src/tasks/index.js';
import type { ProbeRequest, Stage } from './pool-startup-child.js';
import { list, positiveInt, startBench } from './harness.js';
import { esConfig, esTaskSpec, mnistMlp, twoD } from './parallelWorkloads.js';

const { options, choice, writeResult } = await startBench<{ only: string[]; repeats: number; all?: boolean; data?: string; cpuProf?: string }>({
  name: 'bench:pool-startup',
  description: "where a pool child's CPU time goes before and during its first unit",
  backends: ['wasm', 'cpu'],
  flags: (c) =>
    c
      .option('--only <parts>', 'of 2d,mnist,es,pes', list, ['2d', 'mnist', 'es', 'pes'])
      .option('--repeats <n>', 'runs of the unit in the child (the first is cold)', positiveInt('--repeats'), 3)
      .option('--all', "run all of the workload's units (a suite's balanced units for 2 workers, an ES iteration's pairs) in each pass, not the first alone")
      .option('--data <dir>', 'the datasets folder (for the MNIST-MLP suite)')
      .option('--cpu-prof <dir>', "write each child's V8 CPU profile to this folder (node --cpu-prof)"),
});
if (options.data !== undefined) process.env['ALPHAOPT_DATA'] = path.resolve(options.data);
const here = path.dirname(fileURLToPath(import.meta.url));
const childFile = path.join(here, `pool-startup-child${path.extname(fileURLToPath(import.meta.url))}`);
const src = (file: string) => path.join(here, '..', 'src', file);

function probe(id: string, request: ProbeRequest): Promise<Stage[]> {
  const execArgv = [...process.execArgv, ...(options.cpuProf === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', path.resolve(options.cpuProf), '--cpu-prof-name', `${id}-${Date.now()}.cpuprofile`])];
  const child = fork(childFile, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (stages: Stage[]) => resolve(stages));
    child.once('exit', (code) => reject(new Error(`${id}: the probe child exited (${code}) before reporting`)));
    child.send(request);
  });
}

async function suiteRequest(make: () => Promise<import('../src/suite/decode.js').Suite>): Promise<ProbeRequest> {
  const suite = await make();
  // The first unit the pool would send to a child with 2 workers (the largest), or (--all) every unit.
  const balanced = balancedUnits(planGroups(suite, suite.seeds, new Set()), suite.steps, 2);
  const units = options.all === true ? balanced : balanced.slice(0, 1);
  const context = { suiteRaw: suite.raw, suiteFile: suite.file, backend: choice.backend, out: os.tmpdir() };
  return { handler: 'suite', context, units, module: src('suite/unitHandler.js'), prepareTask: units[0]!.task, repeats: options.repeats };
}

/** The units of ES's (PES's) first iteration, taken from a real one-iteration meta-training in this process. */
async function perturbationRequest(method: 'es' | 'pes'): Promise<ProbeRequest> {
  const optimizer = createLearnedOptimizer('lstm', {});
  const family = familyOf(taskFromSpec(esTaskSpec));
  const config = decodeMetaTrainConfig(esConfig(method, 1, 1), 'metaTrain', optimizer.metaTrainDefaults);
  const names = [...optimizer.metaParams.keys()];
  let units: Array<{ key: string }> | undefined;
  const capture = async <T>(make: () => Promise<Array<{ key: string }>>, evaluate: () => Promise<T>): Promise<T> => {
    units ??= await make();
    return evaluate();
  };
  const pes = method === 'pes' ? pesEstimator((args, particles: ParticleSides[]) => capture(() => pesParticleUnits(names, args, particles), () => inProcessParticles(args, particles))) : undefined;
  try {
    await trainTruncated(optimizer, family, config, pes ?? esEstimatorWith((args) => capture(() => esPairUnits(names, args), () => inProcessPairs(args))));
  } finally {
    pes?.dispose();
  }
  const context = perturbationContext(optimizer, family.task, config, 'bench:pool-startup');
  optimizer.dispose();
  const handler = method === 'es' ? 'esPair' : 'pesParticle';
  return { handler, context, units: options.all === true ? units! : units!.slice(0, 1), module: src(method === 'es' ? 'meta/es/esPairHandler.js' : 'meta/pes/pesParticleHandler.js'), repeats: options.repeats };
}

const s = (ms: number | undefined) => (ms === undefined ? '?' : (ms / 1000).toFixed(2));
const results: Record<string, Stage[]> = {};
const makers = { '2d': () => suiteRequest(twoD), mnist: () => suiteRequest(async () => mnistMlp()), es: () => perturbationRequest('es'), pes: () => perturbationRequest('pes') } as const;
for (const id of ['2d', 'mnist', 'es', 'pes'] as const) {
  if (!options.only.includes(id)) continue;
  const request = await makers[id]();
  const stages = await probe(id, request);
  results[id] = stages;
  console.log(`\n${id} (${request.units.length === 1 ? `unit ${request.units[0]!.key}` : `${request.units.length} units`}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}): CPU s (main + helpers), wall s`);
  for (const stage of stages) console.log(`  ${stage.stage.padEnd(70)} ${s(stage.cpuMs)} (${s(stage.mainMs)} + ${s(stage.helpersMs)})  wall ${s(stage.wallMs)}`);
  const first = stages.find((x) => x.stage.startsWith('first '))!;
  const steady = stages.filter((x) => x.stage.startsWith('the same ')).at(-1);
  const before = stages.slice(0, stages.indexOf(first)).reduce((a, x) => a + x.cpuMs, 0);
  console.log(`  before the first unit: ${s(before)} s CPU; first pass ${s(first.cpuMs)} s against ${s(steady?.cpuMs)} s warm: warm-up ${s(steady === undefined ? undefined : first.cpuMs - steady.cpuMs)} s`);
}
await writeResult('pool-startup', "a pool child's CPU time by stage, before and during its first unit", { cores: os.availableParallelism(), loadAverage: os.loadavg(), results });
