/**
 * Runs units in a process that is not the one that planned them (a pool worker, a
 * queue worker): decodes the same suite, starts the same backend, prepares each task
 * and learned optimizer once, on first use (loading checkpoints, never meta-training), then runs each unit with `runPlannedGroup`
 * — the call the in-process loop makes — so every path gives the same records.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setupBackend } from '../backend/setup.js';
import type { BackendRequest } from '../backend/names.js';
import type { LearnedOptimizer } from '../learned/index.js';
import { decodeSuite, type Suite } from './decode.js';
import type { RunRecord } from './record.js';
import { checkpointDir, prepareLearned, runPlannedGroup } from './runner.js';
import { groupOf, type Unit } from './unit.js';

/** What a process needs to run a suite's units: the suite as read, and where the planner's process keeps checkpoints. */
export interface UnitContext {
  suiteRaw: unknown;
  /** The suite file's path: relative checkpoint and dataset paths resolve against it. */
  suiteFile: string;
  /** A pool passes the backend its parent resolved; a queue worker may resolve `auto` on its own machine. */
  backend: BackendRequest;
  /** Checkpoint folders to load learned optimizers from, by optimizer name, instead of the suite's (a queue worker's downloaded copies). */
  checkpoints?: Record<string, string>;
  /** The --data-dir the planning process read the suite with. */
  dataDir?: string;
  /** The results folder whose checkpoints/ the learned optimizers are loaded from (meta-trained there when absent). */
  out: string;
}

export class UnitRunner {
  private readonly prepared = new Set<string>();
  private readonly learned = new Map<string, LearnedOptimizer>();

  private constructor(
    readonly suite: Suite,
    private readonly context: UnitContext,
    private readonly backend: string,
  ) {}

  static async open(context: UnitContext): Promise<UnitRunner> {
    const suite = decodeSuite(context.suiteRaw, context.suiteFile, context.dataDir === undefined ? {} : { dataDir: context.dataDir });
    const choice = await setupBackend(context.backend);
    return new UnitRunner(suite, context, choice.backend);
  }

  async run(unit: Unit): Promise<RunRecord[]> {
    const group = groupOf(this.suite, unit);
    if (!this.prepared.has(group.task.id)) {
      await group.task.prepare?.();
      this.prepared.add(group.task.id);
    }
    const optimizer = group.optimizer;
    if (optimizer.type === 'learned' && !this.learned.has(optimizer.name)) {
      const checkpoint = this.context.checkpoints?.[optimizer.name];
      const plan = checkpoint === undefined ? optimizer : { ...optimizer, checkpoint };
      // Meta-training happens once, in the process that planned the units; a worker that meta-trained would hide a missing checkpoint.
      const dir = checkpointDir(plan, this.context.out);
      if (plan.metaTrain !== undefined && !existsSync(path.join(dir, 'manifest.json'))) throw new Error(`${plan.name}: no checkpoint at ${dir}; workers load the checkpoint the planning process prepared, they do not meta-train`);
      this.learned.set(optimizer.name, await prepareLearned(plan, this.context.out, () => undefined));
    }
    return runPlannedGroup(this.suite, group, this.backend, this.learned, this.context.out);
  }

  dispose(): void {
    for (const optimizer of this.learned.values()) optimizer.dispose();
    this.learned.clear();
  }
}
