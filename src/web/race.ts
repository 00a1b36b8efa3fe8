/**
 * The optimizer race: several optimizers from one start on a 2-D landscape. Each
 * runs through the suite runner's own loop (`runGroup`) and rule builders, as
 * seed 0 of `alphaopt run` does, so the page's numbers are the CLI's; only the
 * start may be moved (a clicked point).
 */
import tf from '#tfjs';
import type { LearnedOptimizer } from '../learned/types.js';
import type { RuleSpec } from '../rules/index.js';
import { runGroup, type HParams } from '../suite/execute.js';
import { gridRule, learnedRule } from '../suite/groupRule.js';
import type { RunRecord } from '../suite/record.js';
import { LANDSCAPES, landscapeTask, type Landscape } from '../tasks/landscapes.js';
import type { Task } from '../tasks/types.js';

export type RaceOptimizer =
  | { name: string; rule: RuleSpec | string; learningRate?: number }
  | { name: string; learned: LearnedOptimizer; mode?: 'frozen' | 'online' };

export interface RaceOptions {
  landscape: string | Landscape;
  /** Where every optimizer starts; the landscape's fixed start (seed 0 of a suite) by default. */
  start?: [number, number];
  steps: number;
  optimizers: RaceOptimizer[];
  /** Recorded in each RunRecord (default: tf.getBackend()). */
  backend?: string;
  /** Called as each optimizer finishes, before the next starts. */
  onResult?: (record: RunRecord) => void;
}

export function findLandscape(id: string): Landscape {
  const landscape = LANDSCAPES.find((l) => l.id === id);
  if (landscape === undefined) throw new Error(`unknown landscape '${id}'; choose one of ${LANDSCAPES.map((l) => l.id).join(', ')}`);
  return landscape;
}

/** The task with every row starting at `start`. */
export function startingAt(task: Task, start: [number, number]): Task {
  return {
    ...task,
    instantiate(seeds) {
      const problem = task.instantiate(seeds);
      const moved = tf.tensor2d(seeds.flatMap(() => start), [seeds.length, 2]);
      return {
        ...problem,
        start: moved,
        loss: problem.loss.bind(problem),
        dispose: () => {
          moved.dispose();
          problem.dispose();
        },
      };
    },
  };
}

/** One RunRecord per optimizer (seed 0), with its trajectory at every step. */
export async function raceOnLandscape(options: RaceOptions): Promise<RunRecord[]> {
  const landscape = typeof options.landscape === 'string' ? findLandscape(options.landscape) : options.landscape;
  const base = landscapeTask(landscape);
  const task = options.start === undefined ? base : startingAt(base, options.start);
  const records: RunRecord[] = [];
  for (const optimizer of options.optimizers) {
    const hparams: HParams = 'rule' in optimizer && optimizer.learningRate !== undefined ? { learningRate: optimizer.learningRate } : {};
    const rows = [{ seed: 0, hparams }];
    const [record] = await runGroup({
      task,
      optimizer: optimizer.name,
      rows,
      steps: options.steps,
      backend: options.backend ?? tf.getBackend(),
      trajectoryPoints: options.steps,
      buildRule: (groupRows) =>
        'rule' in optimizer
          ? gridRule(typeof optimizer.rule === 'string' ? { rule: optimizer.rule, options: {} } : optimizer.rule, optimizer.name, Object.keys(hparams), groupRows)
          : learnedRule(optimizer.learned, optimizer.mode ?? 'frozen'),
    });
    records.push(record!);
    options.onResult?.(record!);
  }
  return records;
}
