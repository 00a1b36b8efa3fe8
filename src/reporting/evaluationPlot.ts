/** Learning curves of the evaluation metric: IQM over seeds at each evaluation step, with its 95% bootstrap band. */
import type { TopLevelSpec } from 'vega-lite';
import { bandedCurveSpec, LOG_FLOOR, type CurveRow } from './plots.js';
import { bootstrapCi, iqm } from './stats/index.js';
import type { TaskSummary } from './summarize.js';

export type CurveField = 'loss' | 'testLoss' | 'testAccuracy';

const TITLES: Record<CurveField, string> = { loss: 'evaluation training loss', testLoss: 'test loss', testAccuracy: 'test accuracy' };

export function hasCurve(task: TaskSummary, field: CurveField): boolean {
  return task.optimizers.some((o) => o.runs.some((r) => (r.evaluation?.[field]?.length ?? 0) > 0));
}

export function evaluationCurveSpec(task: TaskSummary, field: CurveField): TopLevelSpec {
  const first = task.optimizers[0]?.runs.find((r) => r.evaluation !== undefined);
  const lossLike = field !== 'testAccuracy';
  const useLog = lossLike && first !== undefined && first.lossScale !== 'symlog';
  const offset = field === 'loss' ? (first?.optimum ?? 0) : 0;
  const rows: CurveRow[] = [];
  let floored = 0;
  for (const o of task.optimizers) {
    const runs = o.runs.filter((r) => r.evaluation?.[field] !== undefined);
    const steps = runs[0]?.evaluation?.steps ?? [];
    steps.forEach((step, k) => {
      const values = runs
        .map((r) => r.evaluation![field]![k])
        .filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v))
        .map((v) => {
          if (!useLog) return v;
          if (v - offset < LOG_FLOOR) floored++;
          return Math.max(v - offset, LOG_FLOOR);
        });
      if (values.length === 0) return;
      const ci = bootstrapCi(values, iqm, { samples: 500, seed: 0 });
      rows.push({ optimizer: o.optimizer, step, centre: ci.point, low: ci.low, high: ci.high });
    });
  }
  const y = { scale: useLog ? { type: 'log' as const } : { type: 'linear' as const, zero: false } };
  const yTitle = `${TITLES[field]}${offset !== 0 ? ' − f*' : ''}${useLog ? ' (log scale)' : ''}`;
  return bandedCurveSpec({
    title: `${task.task}: ${TITLES[field]} vs step`,
    subtitle: [
      `line: IQM over seeds; band: its 95% bootstrap interval; ${first?.evaluation?.source ?? ''}`,
      ...(floored > 0 ? [`${floored} point(s) at or below ${LOG_FLOOR} are drawn at ${LOG_FLOOR}`] : []),
    ],
    rows,
    names: task.optimizers.map((o) => o.optimizer),
    y,
    yTitle,
    points: true,
  });
}
