/**
 * The one prepare step of a suite: everything its runs need that is loaded or
 * trained — tasks' data and meta-learned starts (MAML initialisations), learned
 * optimizers' meta-parameters — from a checkpoint when there is one, else trained
 * and saved there. The runner, pool workers and queue submission prepare alike.
 */
import { existsSync } from 'node:fs';
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createLearnedOptimizer, loadLearnedOptimizer, saveCheckpoint, type LearnedOptimizer, type MetaTrainReport, type ProgressCallback } from '../learned/index.js';
import { hasMamlCheckpoint, loadMamlInitialization, saveMamlInitialization } from '../meta/maml/mamlCheckpoint.js';
import { trainDecoded, type MetaTraining } from '../meta/metaTrain.js';
import { metaTrainerNamed } from '../meta/registry.js';
import { familyOf, type Task, type TaskFamily } from '../tasks/index.js';
import { findReusable, type Fingerprint } from './checkpointReuse.js';
import type { LearnedOptimizerPlan } from './decode.js';
import { learnedGridProblems } from './learnedGrid.js';

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * Loads a task's data, and its meta-learned start when it has one: from its checkpoint,
 * or meta-trained and saved there.
 */
export async function prepareTask(task: Task, options: { log?: (line: string) => void } = {}): Promise<void> {
  await task.prepare?.();
  const start = task.learnedStart;
  if (start === undefined) return;
  if (hasMamlCheckpoint(start.checkpoint)) {
    start.use(await loadMamlInitialization(start.checkpoint, task.dimension));
    return;
  }
  const trainer = metaTrainerNamed(start.method);
  if (trainer === undefined) throw new Error(`task ${task.id}: no meta-trainer '${start.method}' for its start`);
  const config = trainer.decode(start.config, `task ${task.id}: ${start.method}.config`);
  options.log?.(`${task.id}: meta-training its initialisation by ${start.method}`);
  const { initialization, report } = (await trainer.train(start.initial(), familyOf(task), config)) as { initialization: Float32Array; report: MetaTrainReport };
  // memoryLimit only sizes micro-batches (the result does not depend on it), and its default, Infinity, is not JSON.
  const recorded = Object.fromEntries(Object.entries(config as Record<string, unknown>).filter(([key]) => key !== 'memoryLimit'));
  await saveMamlInitialization(start.checkpoint, initialization, { task: task.id, config: recorded, report });
  start.use(initialization);
}

export const checkpointDir = (plan: LearnedOptimizerPlan, out: string) => plan.checkpoint ?? path.join(out, 'checkpoints', slug(plan.name));

/** How a learned optimizer gets its meta-parameters: from scratch (online), from its checkpoint, or by meta-training. */
function learnedSource(plan: LearnedOptimizerPlan, dir: string, checkpointPresent: boolean): 'scratch' | 'load' | 'metaTrain' {
  if (plan.mode === 'online' && plan.checkpoint === undefined && plan.metaTrain === undefined) return 'scratch';
  if (checkpointPresent) return 'load';
  if (plan.metaTrain === undefined) throw new Error(`${plan.name}: no checkpoint at ${dir} and no metaTrain config to create one`);
  return 'metaTrain';
}

const isInside = (child: string, parent: string) => !path.relative(path.resolve(parent), path.resolve(child)).startsWith('..');

/** Before the start: a checkpoint to load must load (kind, shapes, weights); one to create needs a metaTrain config. */
export async function checkLearned(plan: LearnedOptimizerPlan, out: string, replace: boolean): Promise<void> {
  const dir = checkpointDir(plan, out);
  // --replace moves a checkpoint inside the folder aside with the old results: it will be meta-trained anew.
  const present = existsSync(path.join(dir, 'manifest.json')) && !(replace && isInside(dir, out));
  if (learnedSource(plan, dir, present) !== 'load') return;
  const loaded = await loadLearnedOptimizer(dir, plan.kind);
  loaded.dispose();
  // The grid was checked against the suite's options; the checkpoint's (which the runs use) may differ.
  const problems = learnedGridProblems(plan.kind, loaded.hyperParams, plan.mode, plan.grid, `${plan.name}`);
  if (problems.length > 0) throw new Error(`${plan.name}: its grid does not fit the options the checkpoint ${dir} was trained with: ${problems.join('; ')}`);
}

/** `fingerprint`: when given, a checkpoint meta-trained from the same config by the same code in an earlier result (DIR/.previous) is reused. */
export async function prepareLearned(plan: LearnedOptimizerPlan, out: string, log: (line: string) => void, fingerprint?: Fingerprint): Promise<LearnedOptimizer> {
  const dir = checkpointDir(plan, out);
  const source = learnedSource(plan, dir, existsSync(path.join(dir, 'manifest.json')));
  if (source === 'scratch') {
    log(`${plan.name}: online from scratch (no checkpoint)`);
    return createLearnedOptimizer(plan.kind, plan.hyperParams);
  }
  if (source === 'load') {
    log(`${plan.name}: loading checkpoint ${dir}`);
    return loadLearnedOptimizer(dir, plan.kind);
  }
  const reusable = fingerprint === undefined ? undefined : await findReusable(out, path.basename(dir), fingerprint);
  if (reusable !== undefined) {
    await cp(reusable, dir, { recursive: true });
    log(`${plan.name}: reusing the checkpoint meta-trained in ${reusable} (same meta-training config and code version ${fingerprint!.code}); not meta-training again`);
    return loadLearnedOptimizer(dir, plan.kind);
  }
  return metaTrainAndSave(plan, out, log, fingerprint);
}

/** How a plan's learned optimizer is meta-trained: its decoded training in this process, or (src/queue/metaTrain.ts) its ES/PES population on a queue. */
export type MetaTrainWith = (optimizer: LearnedOptimizer, family: TaskFamily, training: MetaTraining, onProgress: ProgressCallback) => Promise<MetaTrainReport>;

/** Meta-trains a fresh optimizer of the plan's kind with `train` and saves it, with its metatrain.json, where the runner loads it. */
export async function metaTrainAndSave(plan: LearnedOptimizerPlan, out: string, log: (line: string) => void, fingerprint?: Fingerprint, train: MetaTrainWith = trainDecoded): Promise<LearnedOptimizer> {
  const metaTrain = plan.metaTrain;
  if (metaTrain === undefined) throw new Error(`${plan.name}: no metaTrain config to meta-train it with`);
  const dir = checkpointDir(plan, out);
  const optimizer = createLearnedOptimizer(plan.kind, plan.hyperParams);
  log(`${plan.name}: meta-training a '${plan.kind}' on ${metaTrain.task.id}`);
  const report = await train(optimizer, familyOf(metaTrain.task), metaTrain.training, (p) => {
    if (p.iteration % 50 === 0) log(`  iteration ${p.iteration}: meta-loss ${p.metaLoss.toPrecision(4)} (${(p.wallMs / 1000).toFixed(1)} s)`);
  });
  await saveCheckpoint(optimizer, dir);
  await writeFile(path.join(dir, 'metatrain.json'), `${JSON.stringify({ task: metaTrain.task.id, config: metaTrain.config, ...(fingerprint === undefined ? {} : { fingerprint }), report }, null, 2)}\n`);
  log(`${plan.name}: meta-trained in ${(report.wallMs / 1000).toFixed(1)} s (best validation at iteration ${report.bestIteration}); saved ${dir}`);
  return optimizer;
}

