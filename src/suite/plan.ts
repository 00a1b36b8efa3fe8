/** Expands a suite into groups of runs (task × optimizer, rows = grid points × seeds). */
import type { Task } from '../tasks/types.js';
import type { PlannedOptimizer, Suite } from './decode.js';
import tf from '#tfjs';
import type { GroupSpec, HParams, Row } from './execute.js';
import { runKey } from './record.js';
import type { MemoryBudget } from '../backend/memory.js';
import { isOutOfMemory } from './outOfMemory.js';
import { probeRowFootprint, rowsThatFit, type GroupSize, type RowProbe } from './sizing.js';

export interface Group {
  task: Task;
  optimizer: PlannedOptimizer;
  rows: Row[];
  /** Set by `sizeGroups`: the memory estimate the group was sized by. */
  size?: GroupSize;
  /** Set by `sizeGroups`: the time of one row's step, measured once (sizing.ts, RowProbe); the pool's weight for a row. */
  rowStepMs?: number;
  /**
   * 'final': the suite's evaluation curve at step 0 and the last step only. Held-out tuning
   * runs need no more when the primary metric reads the curve's last point (evaluation is
   * most of an MLP run's cost); it never changes training, so the choice is the same.
   */
  evaluation?: 'final';
}

/** The cartesian product of a grid: [{learningRate: 0.1, momentum: 0.9}, …]. */
export function gridPoints(grid: Record<string, number[]>): Array<Record<string, number>> {
  return Object.entries(grid).reduce<Array<Record<string, number>>>(
    (points, [key, values]) => points.flatMap((p) => values.map((v) => ({ ...p, [key]: v }))),
    [{}],
  );
}

/** Fixed numeric/boolean options of a rule spec, recorded with every run. */
export function fixedHparams(optimizer: PlannedOptimizer): HParams {
  const source = optimizer.type === 'rule' ? optimizer.spec.options : optimizer.hyperParams;
  const out: HParams = optimizer.type === 'learned' ? { kind: optimizer.kind, mode: optimizer.mode } : { rule: optimizer.spec.rule };
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') out[key] = value;
  }
  return out;
}

/**
 * One group per task and optimizer with every pending row (one row per group where
 * rows must not be batched); `sizeGroups` then splits them to fit in memory.
 */
export function planGroups(suite: Suite, seeds: number, done: Set<string>): Group[] {
  const groups: Group[] = [];
  for (const task of suite.tasks) {
    for (const optimizer of suite.optimizers) {
      if (optimizer.tasks !== undefined && !optimizer.tasks.includes(task.id)) continue;
      const points = gridPoints(optimizer.grid);
      const rows: Row[] = [];
      for (const point of points) {
        for (let seed = 0; seed < seeds; seed++) {
          const row = { seed, hparams: { ...fixedHparams(optimizer), ...point } };
          if (!done.has(runKey({ task: task.id, optimizer: optimizer.name, hparams: row.hparams, seed, steps: suite.steps }))) rows.push(row);
        }
      }
      groups.push(...groupsOf(task, optimizer, rows));
    }
  }
  return groups;
}

/** These rows of one task and optimizer as groups: one group, or one per row where rows must not be batched. */
export function groupsOf(task: Task, optimizer: PlannedOptimizer, rows: Row[]): Group[] {
  if (rows.length === 0) return [];
  // Rules that couple coordinates (global-norm clipping) would couple batched rows: run those one by one.
  // Online learned optimizers learn from the run they control: one run per group, so runs stay independent.
  if ((optimizer.type === 'rule' && !optimizer.separable) || (optimizer.type === 'learned' && optimizer.mode === 'online')) return rows.map((row) => ({ task, optimizer, rows: [row] }));
  // A learned optimizer's options are not per-row tensors, as a rule's grid values are: one group per grid point.
  if (optimizer.type === 'learned' && Object.keys(optimizer.grid).length > 0) {
    const byPoint = new Map<string, Row[]>();
    for (const row of rows) {
      const key = JSON.stringify(Object.keys(optimizer.grid).map((k) => row.hparams[k]));
      byPoint.set(key, [...(byPoint.get(key) ?? []), row]);
    }
    return [...byPoint.values()].map((same) => ({ task, optimizer, rows: same }));
  }
  return [{ task, optimizer, rows }];
}

/** `group` as consecutive groups of at most `size` rows. */
export function splitGroup(group: Group, size: number): Group[] {
  const out: Group[] = [];
  for (let i = 0; i < group.rows.length; i += size) out.push({ ...group, rows: group.rows.slice(i, i + size) });
  return out;
}

export interface SizingOptions {
  budget: MemoryBudget;
  /** Builds a group's rule (the runner's), for the probe step. */
  buildRule(group: Group): GroupSpec['buildRule'];
  evaluationLimit?: number;
  fraction?: number;
  log?: (line: string) => void;
  /** What the backend holds before any group (default: the bytes of live tensors; on wasm the runner passes the heap's size). */
  baseBytes?: number;
  /** After an out-of-memory failure of a probe: e.g. restart a wasm module that trapped. */
  recover?: (error: unknown) => Promise<void>;
  /** Time each probe's step too (Group.rowStepMs), for a worker pool's units; default false. */
  timeSteps?: boolean;
}

/**
 * Splits planned groups so that each one's estimated peak memory stays under the
 * safety fraction of the budget: one probe step of one row per task and optimizer
 * measures what a row costs (groups of a single row need no probe).
 */
export async function sizeGroups(groups: Group[], options: SizingOptions): Promise<Group[]> {
  const out: Group[] = [];
  for (const group of groups) {
    if (group.rows.length === 1) {
      out.push(group);
      continue;
    }
    let footprint: RowProbe;
    try {
      footprint = await probeRowFootprint(group.task, options.buildRule(group), group.rows[0]!, options.evaluationLimit, options.timeSteps === true);
    } catch (error) {
      if (!isOutOfMemory(error)) throw error;
      // Not even the probe's one row fitted: run the rows one by one, and let the run say whether one fits.
      await options.recover?.(error);
      options.log?.(`${group.optimizer.name} on ${group.task.id}: one run ran out of memory in the probe step; running one at a time`);
      out.push(...splitGroup(group, 1));
      continue;
    }
    const base = options.baseBytes ?? tf.memory().numBytes;
    const size = rowsThatFit(footprint, options.budget, { baseBytes: base, most: group.rows.length, ...(options.fraction === undefined ? {} : { fraction: options.fraction }) });
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    if (size.rows < group.rows.length || !size.fits) options.log?.(
      `${group.optimizer.name} on ${group.task.id}: ${mib(footprint.stepBytes)} per run (+${mib(footprint.evaluationBytes)} to evaluate) → ` +
        `${Math.ceil(group.rows.length / size.rows)} groups of up to ${size.rows} (estimated ${mib(size.estimatedBytes)} of ${options.budget.source})${size.fits ? '' : '; even one run is estimated not to fit, trying anyway'}`,
    );
    out.push(...splitGroup({ ...group, size, ...(footprint.stepMs === undefined ? {} : { rowStepMs: footprint.stepMs }) }, size.rows));
  }
  return out;
}
