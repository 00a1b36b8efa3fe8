/**
 * `alphaopt run`: a suite in, `runs.jsonl` + report out. The runner does not know
 * which kind of optimizer it runs: baselines and learned optimizers both come
 * down to an update rule applied by `runGroup`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cp, mkdir, readdir, rename, writeFile } from 'node:fs/promises';
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
import { planGroups, type Group } from './plan.js';
import { findReusable, fingerprintOf, type Fingerprint } from './checkpointReuse.js';
import { runGroupsOnPool, resolveWorkers } from './pool.js';
import type { RunRecord } from './record.js';
import { shardGroups, type Shard } from './shard.js';
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
  /** Worker processes for the run groups: 1 (the default) runs them in this process; 'auto' = available cores on wasm/cpu, 1 on GPU backends. */
  workers?: number | 'auto';
  /** Run only this deterministic share of the suite's groups (see shard.ts); merge the shards with `alphaopt merge`. */
  shard?: Shard;
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

type SuiteProvenance = Provenance & { suite: string; seeds: number; steps: number; shard?: Shard; earlierInvocations?: SuiteProvenance[] };

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

/**
 * A trap inside the wasm module (its heap is 4 GiB; a per-coordinate learned optimizer
 * on a 10⁶-parameter net can exhaust it) surfaces as a bare `RuntimeError: memory access
 * out of bounds`: say which group it was, how big, and that finished runs are kept.
 */
function explainBackendFailure(error: unknown, group: Group, out: string): unknown {
  if (!(error instanceof WebAssembly.RuntimeError)) return error;
  return new Error(
    `${group.optimizer.name} on ${group.task.id}: the wasm backend failed (${error.message}), most likely out of its 4 GiB heap ` +
      `(${group.rows.length} run(s) × ${group.task.dimension.toLocaleString('en')} parameters). The runs finished so far are kept in ${path.join(out, 'runs.jsonl')}; ` +
      `restrict this optimizer to smaller tasks ("tasks": [...] in the suite), or use a GPU backend, then --resume.`,
  );
}

export const checkpointDir = (plan: LearnedOptimizerPlan, out: string) => plan.checkpoint ?? path.join(out, 'checkpoints', slug(plan.name));

/** `fingerprint`: when given, a checkpoint meta-trained from the same config by the same code in an earlier result (DIR/.previous) is reused. */
export async function prepareLearned(plan: LearnedOptimizerPlan, out: string, log: (line: string) => void, fingerprint?: Fingerprint): Promise<LearnedOptimizer> {
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
  const reusable = fingerprint === undefined ? undefined : await findReusable(out, path.basename(dir), fingerprint);
  if (reusable !== undefined) {
    await cp(reusable, dir, { recursive: true });
    log(`${plan.name}: reusing the checkpoint meta-trained in ${reusable} (same meta-training config and code version ${fingerprint!.code}); not meta-training again`);
    return loadLearnedOptimizer(dir, plan.kind);
  }
  const optimizer = createLearnedOptimizer(plan.kind, plan.hyperParams);
  log(`${plan.name}: meta-training a '${plan.kind}' on ${plan.metaTrain.task.id}`);
  const report = await optimizer.metaTrain(familyOf(plan.metaTrain.task), plan.metaTrain.config, (p) => {
    if (p.iteration % 50 === 0) log(`  iteration ${p.iteration}: meta-loss ${p.metaLoss.toPrecision(4)} (${(p.wallMs / 1000).toFixed(1)} s)`);
  });
  await saveCheckpoint(optimizer, dir);
  await writeFile(path.join(dir, 'metatrain.json'), `${JSON.stringify({ task: plan.metaTrain.task.id, config: plan.metaTrain.config, ...(fingerprint === undefined ? {} : { fingerprint }), report }, null, 2)}\n`);
  log(`${plan.name}: meta-trained in ${(report.wallMs / 1000).toFixed(1)} s (best validation at iteration ${report.bestIteration}); saved ${dir}`);
  return optimizer;
}

function ruleBuilder(group: Group, learned: Map<string, LearnedOptimizer>) {
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

/** One planned group, run in this process: the same call whether the group came from the suite loop, a pool worker or a queue job. */
export async function runPlannedGroup(suite: Suite, group: Group, backend: string, learned: Map<string, LearnedOptimizer>, out: string): Promise<RunRecord[]> {
  return runGroup({
    task: group.task,
    optimizer: group.optimizer.name,
    rows: group.rows,
    steps: suite.steps,
    backend,
    buildRule: ruleBuilder(group, learned),
    divergenceFactor: suite.divergenceFactor,
    ...(suite.evaluateEvery === undefined ? {} : { evaluateEvery: suite.evaluateEvery }),
    ...(suite.evaluationLimit === undefined ? {} : { evaluationLimit: suite.evaluationLimit }),
    ...(suite.targetAccuracy === undefined ? {} : { targetAccuracy: suite.targetAccuracy }),
  }).catch((error: unknown) => {
    throw explainBackendFailure(error, group, out);
  });
}

/** Meta-training curves of the learned optimizers, from their checkpoints' metatrain.json, saved as DIR/metatraining.json for the report. */
export async function writeMetaTraining(suite: Suite, out: string): Promise<MetaTrainingRecord[]> {
  const metaTraining: MetaTrainingRecord[] = [];
  for (const optimizer of suite.optimizers) {
    if (optimizer.type !== 'learned') continue;
    const file = path.join(checkpointDir(optimizer, out), 'metatrain.json');
    if (existsSync(file)) metaTraining.push({ optimizer: optimizer.name, report: (JSON.parse(await readFile(file, 'utf8')) as { report: MetaTrainReport }).report });
  }
  if (metaTraining.length > 0) await writeFile(path.join(out, 'metatraining.json'), `${JSON.stringify(metaTraining)}\n`);
  return metaTraining;
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
    ...(options.shard === undefined ? {} : { shard: options.shard }),
  };
  // A resumed folder holds runs of earlier invocations too: keep their provenance, newest last.
  const earlier = options.resume === true ? await earlierInvocations(options.out) : [];
  if (earlier.length > 0) provenance.earlierInvocations = earlier;
  await writeFile(path.join(options.out, 'suite.json'), `${JSON.stringify(suite.raw, null, 2)}\n`);
  await writeFile(path.join(options.out, 'provenance.json'), `${JSON.stringify(provenance, null, 2)}\n`);

  const groups = options.shard === undefined ? planGroups(suite, seeds, store.done) : shardGroups(suite, seeds, options.shard, store.done);
  const workers = resolveWorkers(options.workers, backend.backend);
  const total = groups.reduce((n, g) => n + g.rows.length, 0);
  const learned = new Map<string, LearnedOptimizer>();
  try {
    for (const optimizer of suite.optimizers) {
      if (optimizer.type === 'learned' && groups.some((g) => g.optimizer === optimizer)) learned.set(optimizer.name, await prepareLearned(optimizer, options.out, log, await fingerprintOf(suite, optimizer)));
    }
    const bar = process.stderr.isTTY
      ? new cliProgress.SingleBar({ format: '{bar} {percentage}% | ETA {eta_formatted} | {value}/{total} runs | {what}', stream: process.stderr }, cliProgress.Presets.shades_classic)
      : undefined;
    bar?.start(total, 0, { what: '' });
    let finished = 0;
    const appendCounted = async (records: RunRecord[]) => {
      await store.append(records);
      finished += records.length;
      bar?.update(finished);
    };
    if (workers > 1 && groups.length > 1) {
      // Each worker loads the checkpoints prepared above; records come back to this one writer.
      await runGroupsOnPool(suite, groups, { workers, backend: backend.backend, out: options.out, append: appendCounted, log });
    } else {
      for (const group of groups) {
        bar?.update(finished, { what: `${group.task.id} · ${group.optimizer.name}` });
        await appendCounted(await runPlannedGroup(suite, group, backend.backend, learned, options.out));
      }
    }
    bar?.stop();
  } finally {
    for (const optimizer of learned.values()) optimizer.dispose();
  }

  const metaTraining = await writeMetaTraining(suite, options.out);
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
