/**
 * Held-out tuning in rounds (see protocol.ts): tune every grid on the tuning seeds,
 * bracket the choices that sit on an edge, then score each optimizer at its chosen
 * point on the scored seeds. The runner supplies how groups are executed; the
 * choice is read back from the records written, so a resumed run chooses the same.
 * Tuning never plans a scored seed, and the choice reads tuning records only.
 */
import { ruleFromSpec } from '../../rules/index.js';
import { metricSpec } from '../../reporting/metric.js';
import { choosePoint } from '../../reporting/select.js';
import type { PlannedOptimizer, Suite } from '../decode.js';
import { acceptsLearnedOption } from '../learnedGrid.js';
import type { Row } from '../execute.js';
import { fixedHparams, gridPoints, groupsOf, type Group } from '../plan.js';
import { runKey, type RunRecord } from '../record.js';
import type { Task } from '../../tasks/types.js';
import { bracketStep, type Point } from './bracket.js';
import { tuningSeeds, type TuningPlan } from './protocol.js';

export interface PhaseRunner {
  /** Runs these groups; `tag` adds the protocol's fields to each record before it is written. */
  execute(groups: Group[], tag: (record: RunRecord) => RunRecord): Promise<void>;
  /** Every record written so far (this invocation's and a resumed folder's). */
  records(): Promise<RunRecord[]>;
  /** Run keys already recorded (skipped). */
  done(): Set<string>;
  log(line: string): void;
}

/** Rules and learned optimizers alike: a grid of more than one point is tuned. */
const tuned = (o: PlannedOptimizer): boolean => gridPoints(o.grid).length > 1;

function rowsOf(suite: Suite, task: Task, optimizer: PlannedOptimizer, points: Point[], seeds: number[], done: Set<string>): Row[] {
  const rows: Row[] = [];
  for (const point of points) {
    for (const seed of seeds) {
      const row = { seed, hparams: { ...fixedHparams(optimizer), ...point } };
      if (!done.has(runKey({ task: task.id, optimizer: optimizer.name, hparams: row.hparams, seed, steps: suite.steps }))) rows.push(row);
    }
  }
  return rows;
}

const fixedPoint = (o: PlannedOptimizer): Point => gridPoints(o.grid)[0]!;

const gridPart = (optimizer: PlannedOptimizer, hparams: RunRecord['hparams']): Point => Object.fromEntries(Object.keys(optimizer.grid).map((k) => [k, hparams[k] as number]));

/**
 * Bracketing's bound: whether the optimizer takes `key = value` — the rule's options, or the learned kind's codec
 * over the options it runs with and the chosen point's other values (DQN's η₀ must lie in [lrMin, lrMax]).
 */
function acceptsValue(optimizer: PlannedOptimizer, chosen: Point, key: string, value: number): boolean {
  if (optimizer.type === 'learned') return acceptsLearnedOption(optimizer.kind, { ...optimizer.gridBase, ...chosen }, key, value);
  try {
    ruleFromSpec({ ...optimizer.spec, options: { ...optimizer.spec.options, [key]: value } }, optimizer.name);
    return true;
  } catch {
    return false;
  }
}

/** The tuning records of one task and optimizer at these points. */
function tuningRecords(records: RunRecord[], task: Task, optimizer: PlannedOptimizer): RunRecord[] {
  return records.filter((r) => r.role === 'tuning' && r.task === task.id && r.optimizer === optimizer.name);
}

export async function runHeldOut(suite: Suite, plan: Extract<TuningPlan, { mode: 'held-out' }>, scoredSeeds: number, runner: PhaseRunner): Promise<void> {
  const seeds = tuningSeeds(plan);
  const pairs = suite.tasks.flatMap((task) => suite.optimizers.filter((o) => o.tasks === undefined || o.tasks.includes(task.id)).map((optimizer) => ({ task, optimizer })));
  const tunedPairs = pairs.filter((p) => tuned(p.optimizer));
  // Points per pair, and the bracketing round that added each (0: the suite's grid).
  const points = new Map(tunedPairs.map((p) => [p, gridPoints(p.optimizer.grid)]));
  const roundOf = new Map<string, number>();
  const tagFor = (round: number, pair: { task: Task; optimizer: PlannedOptimizer }, point: Point) => roundOf.set(`${pair.task.id}\u0000${pair.optimizer.name}\u0000${JSON.stringify(point)}`, round);
  const tag = (r: RunRecord): RunRecord => {
    const optimizer = suite.optimizers.find((o) => o.name === r.optimizer);
    const extension = optimizer !== undefined ? roundOf.get(`${r.task}\u0000${r.optimizer}\u0000${JSON.stringify(gridPart(optimizer, r.hparams))}`) ?? 0 : 0;
    return { ...r, role: 'tuning', ...(extension > 0 ? { extension } : {}) };
  };

  // Tuning runs are read for the choice only: unless the primary metric reads the whole curve, they evaluate at the end only.
  const evaluation = metricSpec(suite.metrics[0] ?? 'finalLoss').curve === true ? {} : { evaluation: 'final' as const };
  for (let round = 0; ; round++) {
    const groups = tunedPairs.flatMap((pair) => groupsOf(pair.task, pair.optimizer, rowsOf(suite, pair.task, pair.optimizer, points.get(pair)!, seeds, runner.done())).map((g) => ({ ...g, ...evaluation })));
    const runs = groups.reduce((n, g) => n + g.rows.length, 0);
    if (runs > 0) runner.log(`tuning${round > 0 ? ` (bracketing round ${round})` : ''}: ${runs} runs on ${seeds.length} tuning seeds`);
    await runner.execute(groups, tag);
    if (!plan.bracket) break;
    const records = await runner.records();
    let extended = 0;
    for (const pair of tunedPairs) {
      const own = tuningRecords(records, pair.task, pair.optimizer);
      if (own.length === 0) continue;
      const tried = [...new Map(own.map((r) => [JSON.stringify(gridPart(pair.optimizer, r.hparams)), gridPart(pair.optimizer, r.hparams)])).values()];
      const chosen = gridPart(pair.optimizer, choosePoint(own, suite.metrics[0] ?? 'finalLoss')[0]!.hparams);
      const accepts = (key: string, value: number) => acceptsValue(pair.optimizer, chosen, key, value);
      const step = bracketStep({ grid: pair.optimizer.grid, tried, chosen, maxExtensions: plan.maxExtensions, accepts });
      for (const point of step.points) {
        tagFor(round + 1, pair, point);
        points.get(pair)!.push(point);
        extended++;
        runner.log(`${pair.optimizer.name} on ${pair.task.id}: best point ${JSON.stringify(chosen)} on the grid's edge; trying ${JSON.stringify(point)}`);
      }
    }
    if (extended === 0) break;
  }

  // Scoring: each tuned optimizer at its chosen point, the others as they are, on the scored seeds only.
  const records = await runner.records();
  const scored = Array.from({ length: scoredSeeds }, (_, i) => i);
  const groups = pairs.flatMap(({ task, optimizer }) => {
    // An optimizer whose grid has one point runs at it (a learned one without a grid, as it is).
    const point = tuned(optimizer) ? gridPart(optimizer, choosePoint(tuningRecords(records, task, optimizer), suite.metrics[0] ?? 'finalLoss')[0]!.hparams) : fixedPoint(optimizer);
    return groupsOf(task, optimizer, rowsOf(suite, task, optimizer, [point], scored, runner.done()));
  });
  const runs = groups.reduce((n, g) => n + g.rows.length, 0);
  if (runs > 0) runner.log(`scoring: ${runs} runs on ${scored.length} scored seeds at the chosen points`);
  await runner.execute(groups, (r) => r);
}
