/**
 * `alphaopt run`: a suite in, `runs.jsonl` + report out. The runner does not know
 * which kind of optimizer it runs: baselines and learned optimizers both come
 * down to an update rule applied by `runGroup`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import cliProgress from 'cli-progress';
import { setupBackend } from '../backend/setup.js';
import type { BackendChoice, BackendRequest } from '../backend/names.js';
import { createLearnedOptimizer, loadLearnedOptimizer, saveCheckpoint, type LearnedOptimizer, type MetaTrainReport } from '../learned/index.js';
import { collectProvenance, describeProvenance, type Provenance } from '../provenance.js';
import { writeReport, type MetaTrainingRecord, type ReportResult } from '../reporting/index.js';
import { ruleFromSpec } from '../rules/index.js';
import { familyOf } from '../tasks/index.js';
import type { LearnedOptimizerPlan, Suite } from './decode.js';
import { runGroup, type Row } from './execute.js';
import { planGroups, sizeGroups, type Group } from './plan.js';
import { runHalvingOnFailure } from './retry.js';
import { memoryBudget, memoryUsage } from '../backend/memory.js';
import { guardWasmHeap, restartWasmBackend, wasmHeapBytes } from '../backend/wasm/heap.js';
import { openStore } from './store.js';

export interface RunOptions {
  out: string;
  backend?: BackendRequest;
  resume?: boolean;
  /** Move existing results aside (into <out>/.previous/<time>/) instead of refusing. */
  replace?: boolean;
  seeds?: number;
  /** Progress lines (meta-training, report); a progress bar is drawn on a TTY. */
  log?: (line: string) => void;
  command?: string;
  /** Bytes a group may use at most (e.g. a worker's share of the machine); lowers the backend's own limit. */
  memoryLimit?: number;
}

export interface RunSummary {
  out: string;
  backend: BackendChoice;
  runs: number;
  skipped: number;
  wallMs: number;
  report: ReportResult;
}

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

async function moveAside(out: string): Promise<string | undefined> {
  if (!existsSync(path.join(out, 'runs.jsonl'))) return undefined;
  const target = path.join(out, '.previous', new Date().toISOString().replace(/[:.]/g, '-'));
  await mkdir(target, { recursive: true });
  for (const entry of await readdir(out)) {
    if (entry !== '.previous') await rename(path.join(out, entry), path.join(target, entry));
  }
  return target;
}

type SuiteProvenance = Provenance & { suite: string; seeds: number; steps: number; earlierInvocations?: SuiteProvenance[] };

/** The provenance of the invocations that wrote a folder before this one (read from its provenance.json), oldest first. */
async function earlierInvocations(out: string): Promise<SuiteProvenance[]> {
  const file = path.join(out, 'provenance.json');
  if (!existsSync(file)) return [];
  try {
    const previous = JSON.parse(await readFile(file, 'utf8')) as SuiteProvenance;
    const { earlierInvocations: older = [], ...own } = previous;
    return [...older, own];
  } catch {
    throw new Error(`${file}: not valid JSON; move it aside (the runs in runs.jsonl are untouched) and resume again`);
  }
}

const checkpointDir = (plan: LearnedOptimizerPlan, out: string) => plan.checkpoint ?? path.join(out, 'checkpoints', slug(plan.name));

async function prepareLearned(plan: LearnedOptimizerPlan, out: string, log: (line: string) => void): Promise<LearnedOptimizer> {
  const dir = checkpointDir(plan, out);
  if (plan.mode === 'online' && plan.checkpoint === undefined && plan.metaTrain === undefined) {
    log(`${plan.name}: online from scratch (no checkpoint)`);
    return createLearnedOptimizer(plan.kind, plan.hyperParams);
  }
  if (existsSync(path.join(dir, 'manifest.json'))) {
    log(`${plan.name}: loading checkpoint ${dir}`);
    return loadLearnedOptimizer(dir, plan.kind);
  }
  if (plan.metaTrain === undefined) throw new Error(`${plan.name}: no checkpoint at ${dir} and no metaTrain config to create one`);
  const optimizer = createLearnedOptimizer(plan.kind, plan.hyperParams);
  log(`${plan.name}: meta-training a '${plan.kind}' on ${plan.metaTrain.task.id}`);
  const report = await optimizer.metaTrain(familyOf(plan.metaTrain.task), plan.metaTrain.config, (p) => {
    if (p.iteration % 50 === 0) log(`  iteration ${p.iteration}: meta-loss ${p.metaLoss.toPrecision(4)} (${(p.wallMs / 1000).toFixed(1)} s)`);
  });
  await saveCheckpoint(optimizer, dir);
  await writeFile(path.join(dir, 'metatrain.json'), `${JSON.stringify({ task: plan.metaTrain.task.id, config: plan.metaTrain.config, report }, null, 2)}\n`);
  log(`${plan.name}: meta-trained in ${(report.wallMs / 1000).toFixed(1)} s (best validation at iteration ${report.bestIteration}); saved ${dir}`);
  return optimizer;
}

/** Builds the rule of a group's rows (per-row grid values as [rows, 1] tensors); learned optimizers from `learned`. */
export function ruleBuilder(group: Group, learned: Map<string, LearnedOptimizer>) {
  return (rows: Row[]) => {
    const { optimizer } = group;
    if (optimizer.type === 'learned' && optimizer.mode === 'online') {
      // A fresh copy per run: what the controller learns in one run must not leak into the next.
      const prepared = learned.get(optimizer.name)!;
      const copy = createLearnedOptimizer(prepared.kind, prepared.hyperParams);
      for (const [name, variable] of copy.metaParams) variable.assign(prepared.metaParams.get(name)!);
      return { rule: copy.onlineRule!(), dispose: () => copy.dispose() };
    }
    if (optimizer.type === 'learned') return { rule: learned.get(optimizer.name)!.rule(), dispose: () => undefined };
    // Grid keys become one value per row, shaped [rows, 1] to broadcast over each row's parameters.
    const overrides: Record<string, tf.Tensor> = {};
    for (const key of Object.keys(optimizer.grid)) {
      overrides[key] = tf.tensor2d(rows.map((r) => r.hparams[key] as number), [rows.length, 1]);
    }
    return { rule: ruleFromSpec(optimizer.spec, optimizer.name, overrides), dispose: () => tf.dispose(Object.values(overrides)) };
  };
}

export async function runSuite(suite: Suite, options: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  if (options.replace === true) {
    const moved = await moveAside(options.out);
    if (moved !== undefined) log(`previous results moved to ${moved}`);
  }
  const store = await openStore(options.out, { resume: options.resume === true });
  const backend = await setupBackend(options.backend ?? suite.backend ?? 'auto');
  log(`backend: ${backend.backend} (${backend.reason})`);
  // Load the datasets before writing anything: a missing file fails here, leaving the folder as it was.
  for (const task of suite.tasks) await task.prepare?.();
  const seeds = options.seeds ?? suite.seeds;
  const provenance: SuiteProvenance = {
    ...collectProvenance(backend.backend, backend.detail, options.command),
    suite: path.relative(process.cwd(), suite.file),
    seeds,
    steps: suite.steps,
  };
  // A resumed folder holds runs of earlier invocations too: keep their provenance, newest last.
  const earlier = options.resume === true ? await earlierInvocations(options.out) : [];
  if (earlier.length > 0) provenance.earlierInvocations = earlier;
  await writeFile(path.join(options.out, 'suite.json'), `${JSON.stringify(suite.raw, null, 2)}\n`);
  await writeFile(path.join(options.out, 'provenance.json'), `${JSON.stringify(provenance, null, 2)}\n`);

  const planned = planGroups(suite, seeds, store.done);
  const total = planned.reduce((n, g) => n + g.rows.length, 0);
  const learned = new Map<string, LearnedOptimizer>();
  const prepareAll = async () => {
    for (const optimizer of suite.optimizers) {
      if (optimizer.type === 'learned' && planned.some((g) => g.optimizer === optimizer)) learned.set(optimizer.name, await prepareLearned(optimizer, options.out, log));
    }
  };
  try {
    await prepareAll();
    const budget = memoryBudget(backend.backend, options.memoryLimit);
    if (backend.backend === 'wasm' && options.memoryLimit !== undefined) guardWasmHeap(options.memoryLimit);
    const recover = async (error: unknown) => {
      // A trap leaves the wasm module in whatever state it was mid-kernel: start a fresh one, and rebuild what lived on it.
      if (backend.backend !== 'wasm' || !(error instanceof WebAssembly.RuntimeError)) return;
      log('the wasm module trapped: restarting it');
      for (const optimizer of learned.values()) optimizer.dispose();
      await restartWasmBackend();
      await prepareAll();
    };
    // On wasm the budget is the heap's size, which holds the module itself and free space besides tensors.
    const baseBytes = wasmHeapBytes() ?? tf.memory().numBytes;
    const groups = await sizeGroups(planned, { budget, baseBytes, buildRule: (g) => ruleBuilder(g, learned), ...(suite.evaluationLimit === undefined ? {} : { evaluationLimit: suite.evaluationLimit }), log, recover });
    // After an out-of-memory retry, later groups of the same task and optimizer start at the size that worked.
    const caps = new Map<string, number>();
    const bar = process.stderr.isTTY
      ? new cliProgress.SingleBar({ format: '{bar} {percentage}% | ETA {eta_formatted} | {value}/{total} runs | {what}', stream: process.stderr }, cliProgress.Presets.shades_classic)
      : undefined;
    bar?.start(total, 0, { what: '' });
    let finished = 0;
    for (const group of groups) {
      bar?.update(finished, { what: `${group.task.id} · ${group.optimizer.name}` });
      const pair = `${group.task.id}\u0000${group.optimizer.name}`;
      const ran = await runHalvingOnFailure(group, caps.get(pair) ?? group.rows.length, {
        run: (rows) =>
          runGroup({
            task: group.task,
            optimizer: group.optimizer.name,
            rows,
            steps: suite.steps,
            backend: backend.backend,
            buildRule: ruleBuilder(group, learned),
            divergenceFactor: suite.divergenceFactor,
            ...(suite.evaluateEvery === undefined ? {} : { evaluateEvery: suite.evaluateEvery }),
            ...(suite.evaluationLimit === undefined ? {} : { evaluationLimit: suite.evaluationLimit }),
            ...(suite.targetAccuracy === undefined ? {} : { targetAccuracy: suite.targetAccuracy }),
          }),
        finished: async (records, rows) => {
          const memory = { groupRows: rows, ...memoryUsage(), ...(group.size === undefined || rows !== group.size.rows ? {} : { estimatedBytes: Math.round(group.size.estimatedBytes) }) };
          await store.append(records.map((r) => ({ ...r, memory })));
          finished += records.length;
          bar?.update(finished);
        },
        recover,
        log,
      });
      caps.set(pair, ran);
    }
    bar?.stop();
  } finally {
    for (const optimizer of learned.values()) optimizer.dispose();
    if (backend.backend === 'wasm' && options.memoryLimit !== undefined) guardWasmHeap();
  }

  // Meta-training curves of the learned optimizers, from their checkpoints' metatrain.json.
  const metaTraining: MetaTrainingRecord[] = [];
  for (const optimizer of suite.optimizers) {
    if (optimizer.type !== 'learned') continue;
    const file = path.join(checkpointDir(optimizer, options.out), 'metatrain.json');
    if (existsSync(file)) metaTraining.push({ optimizer: optimizer.name, report: (JSON.parse(await readFile(file, 'utf8')) as { report: MetaTrainReport }).report });
  }
  if (metaTraining.length > 0) await writeFile(path.join(options.out, 'metatraining.json'), `${JSON.stringify(metaTraining)}\n`);
  const wallMs = performance.now() - started;
  const landscapes = new Map(suite.tasks.filter((t) => t.landscape !== undefined).map((t) => [t.id, t.landscape!]));
  const report = await writeReport(options.out, {
    contour: (id) => landscapes.get(id),
    metaTraining,
    header: [
      `Suite \`${provenance.suite}\` (${suite.description ?? suite.name}): ${suite.tasks.length} tasks × ${suite.optimizers.length} optimizers × ${seeds} seeds, ${suite.steps} steps.`,
      describeProvenance(provenance),
      `This invocation ran ${total} runs (${store.done.size - total} were already recorded) in ${(wallMs / 1000).toFixed(1)} s.`,
    ],
  });
  log(`report: ${report.files.length} files in ${options.out}`);
  return { out: options.out, backend, runs: total, skipped: store.done.size - total, wallMs, report };
}
