/** Expands a suite into groups of runs (task × optimizer, rows = grid points × seeds). */
import type { Task } from '../tasks/types.js';
import type { PlannedOptimizer, Suite } from './decode.js';
import type { HParams, Row } from './execute.js';
import { runKey } from './record.js';

export interface Group {
  task: Task;
  optimizer: PlannedOptimizer;
  rows: Row[];
}

/** The cartesian product of a grid: [{learningRate: 0.1, momentum: 0.9}, …]. */
export function gridPoints(grid: Record<string, number[]>): Array<Record<string, number>> {
  return Object.entries(grid).reduce<Array<Record<string, number>>>(
    (points, [key, values]) => points.flatMap((p) => values.map((v) => ({ ...p, [key]: v }))),
    [{}],
  );
}

/** Fixed numeric/boolean options of a rule spec, recorded with every run. */
function fixedHparams(optimizer: PlannedOptimizer): HParams {
  const source = optimizer.type === 'rule' ? optimizer.spec.options : optimizer.hyperParams;
  const out: HParams = optimizer.type === 'learned' ? { kind: optimizer.kind, mode: optimizer.mode } : { rule: optimizer.spec.rule };
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') out[key] = value;
  }
  return out;
}

/** Upper bound on rows × dimension of one group (parameters, and each state tensor of the rule, are this size). */
export const MAX_GROUP_NUMBERS = 16_000_000;

/**
 * Learned optimizers keep tens of numbers of state per coordinate (the LSTM's h and c
 * of two layers: 80; the policy's windows: 50) and make temporaries as wide, so their
 * groups hold this many times fewer rows than a baseline's (one run alone on Xu's
 * 1.66M-parameter CNN, where three at once overflowed wasm's heap).
 */
export const LEARNED_NUMBERS_PER_COORDINATE = 16;

export function planGroups(suite: Suite, seeds: number, done: Set<string>): Group[] {
  const groups: Group[] = [];
  for (const task of suite.tasks) {
    for (const optimizer of suite.optimizers) {
      if (optimizer.tasks !== undefined && !optimizer.tasks.includes(task.id)) continue;
      const points = optimizer.type === 'rule' ? gridPoints(optimizer.grid) : [{}];
      const rows: Row[] = [];
      for (const point of points) {
        for (let seed = 0; seed < seeds; seed++) {
          const row = { seed, hparams: { ...fixedHparams(optimizer), ...point } };
          if (!done.has(runKey({ task: task.id, optimizer: optimizer.name, hparams: row.hparams, seed, steps: suite.steps }))) rows.push(row);
        }
      }
      if (rows.length === 0) continue;
      // Rules that couple coordinates (global-norm clipping) would couple batched rows: run those one by one.
      // Online learned optimizers learn from the run they control: one run per group, so runs stay independent.
      if ((optimizer.type === 'rule' && !optimizer.separable) || (optimizer.type === 'learned' && optimizer.mode === 'online')) rows.forEach((row) => groups.push({ task, optimizer, rows: [row] }));
      else {
        // Big optimizees (conv nets) in several groups, so that [rows, dimension] stays near 16M numbers.
        const perRow = task.dimension * (optimizer.type === 'learned' ? LEARNED_NUMBERS_PER_COORDINATE : 1);
        const size = Math.max(1, Math.floor(MAX_GROUP_NUMBERS / perRow));
        for (let i = 0; i < rows.length; i += size) groups.push({ task, optimizer, rows: rows.slice(i, i + size) });
      }
    }
  }
  return groups;
}
