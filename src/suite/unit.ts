/**
 * A unit of work: one planned group (a task, an optimizer, the rows to run), in a
 * form that crosses a process or machine boundary as JSON. Its key is a hash of its
 * rows' run keys, so the same rows give the same key wherever they are planned
 * (a queue job id, a failure message), and the rows rebuild the same group.
 */
import { createHash } from 'node:crypto';
import type { BackendRequest } from '../backend/names.js';
import type { Suite } from './decode.js';
import type { Row } from './execute.js';
import type { Group } from './plan.js';
import { runKey } from './record.js';

export interface Unit {
  key: string;
  task: string;
  optimizer: string;
  rows: Row[];
  steps: number;
  /** As Group.evaluation. */
  evaluation?: 'final';
}

export function runKeysOf(unit: Omit<Unit, 'key'>): string[] {
  return unit.rows.map((row) => runKey({ task: unit.task, optimizer: unit.optimizer, hparams: row.hparams, seed: row.seed, steps: unit.steps }));
}

export function unitOf(group: Group, steps: number): Unit {
  const unit = { task: group.task.id, optimizer: group.optimizer.name, rows: group.rows, steps };
  const hash = createHash('sha256').update(runKeysOf(unit).join('\n')).digest('hex').slice(0, 12);
  return { key: `${unit.task}|${unit.optimizer}|${group.rows.length} runs|${hash}`, ...unit, ...(group.evaluation === undefined ? {} : { evaluation: group.evaluation }) };
}

/** The group a unit stands for, in this process's copy of the suite. */
export function groupOf(suite: Suite, unit: Unit): Group {
  const task = suite.tasks.find((t) => t.id === unit.task);
  const optimizer = suite.optimizers.find((o) => o.name === unit.optimizer);
  if (task === undefined || optimizer === undefined) {
    throw new Error(`unit ${unit.key}: the suite ${suite.file} has no ${task === undefined ? `task '${unit.task}'` : `optimizer '${unit.optimizer}'`}; was the unit planned from another suite?`);
  }
  if (unit.steps !== suite.steps) throw new Error(`unit ${unit.key}: planned for ${unit.steps} steps, but the suite ${suite.file} has ${suite.steps}`);
  return { task, optimizer, rows: unit.rows, ...(unit.evaluation === undefined ? {} : { evaluation: unit.evaluation }) };
}

/** What a process needs to run a suite's units: the suite as read, and where the planner's process keeps checkpoints. */
export interface UnitContext {
  suiteRaw: unknown;
  /** The suite file's path: relative checkpoint and dataset paths resolve against it. */
  suiteFile: string;
  /** A pool passes the backend its parent resolved; a queue worker may resolve `auto` on its own machine. */
  backend: BackendRequest;
  /** Checkpoint folders to load learned optimizers from, by optimizer name, instead of the suite's (a queue worker's downloaded copies). */
  checkpoints?: Record<string, string>;
  /** Bytes a group may use at most (--memory-limit): the wasm heap is guarded at it. */
  memoryLimit?: number;
  /** The --data-dir the planning process read the suite with. */
  dataDir?: string;
  /** The results folder whose checkpoints/ the learned optimizers are loaded from (meta-trained there when absent). */
  out: string;
}
