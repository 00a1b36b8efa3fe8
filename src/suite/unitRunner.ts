/**
 * Runs units in a process that is not the one that planned them (a pool worker, a
 * queue worker): decodes the same suite, starts the same backend, prepares each task
 * and learned optimizer once, on first use (loading checkpoints, never meta-training), then runs each unit with `runPlannedGroup`
 * — the call the in-process loop makes — so every path gives the same records.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setupBackend } from '../backend/setup.js';
import type { LearnedOptimizer } from '../learned/index.js';
import { decodeSuite, type Suite } from './decode.js';
import type { RunRecord } from './record.js';
import { checkpointDir, prepareLearned, prepareTask } from './prepare.js';
import { runPlannedGroup } from './runner.js';
import type { Group } from './plan.js';
import { groupOf, type Unit, type UnitContext } from './unit.js';

export type { UnitContext } from './unit.js';
import { guardWasmHeap, restartWasmBackend } from '../backend/wasm/heap.js';


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
    if (choice.backend === 'wasm' && context.memoryLimit !== undefined) guardWasmHeap(context.memoryLimit);
    return new UnitRunner(suite, context, choice.backend);
  }

  async run(unit: Unit): Promise<RunRecord[]> {
    const group = groupOf(this.suite, unit);
    if (!this.prepared.has(group.task.id)) {
      await prepareTask(group.task);
      this.prepared.add(group.task.id);
    }
    await this.prepareLearned(group);
    // A unit's records go back together: a worker that dies mid-unit has the whole unit redone, never half of it twice.
    const records: RunRecord[] = [];
    await runPlannedGroup(this.suite, group, this.backend, this.learned, {
      append: async (part) => void records.push(...part),
      recover: (error) => this.recover(error, group),
    });
    return records;
  }

  private async prepareLearned(group: Group): Promise<void> {
    const optimizer = group.optimizer;
    if (optimizer.type !== 'learned' || this.learned.has(optimizer.name)) return;
    const checkpoint = this.context.checkpoints?.[optimizer.name];
    const plan = checkpoint === undefined ? optimizer : { ...optimizer, checkpoint };
    // Meta-training happens once, in the process that planned the units; a worker that meta-trained would hide a missing checkpoint.
    const dir = checkpointDir(plan, this.context.out);
    if (plan.metaTrain !== undefined && !existsSync(path.join(dir, 'manifest.json'))) throw new Error(`${plan.name}: no checkpoint at ${dir}; workers load the checkpoint the planning process prepared, they do not meta-train`);
    this.learned.set(optimizer.name, await prepareLearned(plan, this.context.out, () => undefined));
  }

  /** A trapped wasm module is replaced by a fresh one (as the in-process runner does); what lived on it is loaded again. */
  private async recover(error: unknown, group: Group): Promise<void> {
    if (this.backend !== 'wasm' || !(error instanceof WebAssembly.RuntimeError)) return;
    this.dispose();
    await restartWasmBackend();
    await this.prepareLearned(group);
  }

  dispose(): void {
    for (const optimizer of this.learned.values()) optimizer.dispose();
    this.learned.clear();
  }
}
