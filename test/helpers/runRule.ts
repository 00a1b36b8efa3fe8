/** Runs a rule over `seeds` as the rows of one group on the suite runner's loop: one record per row. */
import type { UpdateRule } from '../../src/rules/index.js';
import { runGroup } from '../../src/suite/execute.js';
import type { RunRecord } from '../../src/suite/record.js';
import type { Task } from '../../src/tasks/index.js';

export function runRule(rule: UpdateRule, task: Task, seeds: readonly number[], steps: number): Promise<RunRecord[]> {
  return runGroup({
    task,
    optimizer: 'test',
    rows: seeds.map((seed) => ({ seed, hparams: {} })),
    steps,
    backend: 'cpu',
    buildRule: () => ({ rule, dispose: () => undefined }),
    trajectoryPoints: 0,
  });
}
