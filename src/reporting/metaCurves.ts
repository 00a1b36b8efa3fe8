/** Meta-training curves of the learned optimizers in a suite: meta-loss against wall time, with validation points. */
import type { TopLevelSpec } from 'vega-lite';
import type { MetaTrainReport } from '../learned/types.js';
import { OKABE_ITO } from './palette.js';

export interface MetaTrainingRecord {
  optimizer: string;
  report: MetaTrainReport;
}

/** A running mean keeps the per-iteration noise of small task batches from hiding the trend. */
function smooth(values: number[], window: number): number[] {
  return values.map((_, i) => {
    const slice = values.slice(Math.max(0, i - window + 1), i + 1).filter(Number.isFinite);
    return slice.reduce((a, b) => a + b, 0) / Math.max(slice.length, 1);
  });
}

export function metaCurveSpec(records: MetaTrainingRecord[]): TopLevelSpec {
  const curve = records.flatMap(({ optimizer, report }) => {
    const smoothed = smooth(report.curve.map((p) => p.metaLoss), 20);
    return report.curve.map((p, i) => ({ optimizer: `${optimizer} — ${report.method}`, seconds: p.wallMs / 1000, metaLoss: smoothed[i] }));
  });
  const validation = records.flatMap(({ optimizer, report }) =>
    report.validation.map((v) => {
      const at = report.curve.find((p) => p.iteration === v.iteration);
      return { optimizer: `${optimizer} — ${report.method}`, seconds: (at?.wallMs ?? 0) / 1000, validation: v.loss };
    }),
  );
  const positive = [...curve.map((c) => c.metaLoss ?? NaN), ...validation.map((v) => v.validation)].every((v) => !Number.isFinite(v) || v > 0);
  const y = { scale: { type: positive ? ('log' as const) : ('linear' as const) } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    // The long explanation goes in a subtitle and the legend below the plot, uncut: a legend beside it took a third of the width and cut the names.
    title: { text: 'meta-training: meta-loss vs wall time', subtitle: 'line: running mean of 20 iterations; dots: held-out validation', subtitleFont: 'sans-serif' },
    width: 640,
    height: 320,
    config: { legend: { orient: 'bottom', direction: 'vertical', labelLimit: 0 } },
    background: 'white',
    layer: [
      {
        data: { values: curve },
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'seconds', type: 'quantitative', title: 'wall time (s)' },
          y: { field: 'metaLoss', type: 'quantitative', title: 'meta-loss', ...y },
          color: { field: 'optimizer', type: 'nominal', title: 'estimator', scale: { range: [...OKABE_ITO] }, legend: { labelLimit: 0 } },
        },
      },
      {
        data: { values: validation },
        mark: { type: 'point', filled: true, size: 40 },
        encoding: {
          x: { field: 'seconds', type: 'quantitative' },
          y: { field: 'validation', type: 'quantitative', ...y },
          color: { field: 'optimizer', type: 'nominal' },
        },
      },
    ],
  } as TopLevelSpec;
}
