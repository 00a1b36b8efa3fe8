/** summary.md and summary.csv from task summaries. */
import type { Malformed } from './load.js';
import { pairedRatios } from './paired.js';
import type { OptimizerSummary, Stat, TaskSummary } from './summarize.js';

export function formatNumber(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return x === null ? '—' : String(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  return abs < 1e-3 || abs >= 1e5 ? x.toExponential(2) : Number(x.toPrecision(4)).toString();
}

const pm = (s: Stat) => (s.mean === null ? '—' : `${formatNumber(s.mean)} ± ${formatNumber(s.std)}`);

export function formatHparams(o: OptimizerSummary): string {
  const tuned = Object.entries(o.hparams).filter(([k]) => k !== 'rule' && k !== 'kind' && k !== 'mode');
  const text = tuned.map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : String(v)}`).join(', ');
  return o.gridPoints > 1 ? `${text} (best of ${o.gridPoints})` : text || '—';
}

export function toMarkdown(summary: TaskSummary[], header: string[] = [], malformed: Malformed[] = []): string {
  const lines = ['# Results', '', ...header.map((h) => `${h}  `), ''];
  if (malformed.length > 0) {
    lines.push(`**${malformed.length} malformed line(s) in runs.jsonl were skipped:** ${malformed.map((m) => `line ${m.line} (${m.error})`).join('; ')}`, '');
  }
  const metricNames = [...new Set(summary.flatMap((t) => t.optimizers.flatMap((o) => Object.keys(o.metrics))))];
  for (const task of summary) {
    lines.push(`## ${task.task}`, '');
    if (metricNames.length > 0) lines.push(`Task metrics: mean ± half-width of the 95% confidence interval over seeds (1.96·s/√n).`, '');
    lines.push(`| rank | optimizer | hyper-parameters | final loss (mean ± std) | best loss | AUC | steps to threshold | ${metricNames.map((m) => `${m} | `).join('')}diverged | ms/run |`);
    lines.push(`|---|---|---|---|---|---|---|${metricNames.map(() => '---|').join('')}---|---|`);
    for (const o of task.optimizers) {
      const threshold = o.stepsToThreshold.reached === 0 ? `— (0/${o.seeds})` : `${formatNumber(o.stepsToThreshold.mean)} (${o.stepsToThreshold.reached}/${o.seeds})`;
      lines.push(
        `| ${o.rank} | ${o.optimizer} | ${formatHparams(o)} | ${pm(o.finalLoss)} | ${pm(o.bestLoss)} | ${pm(o.auc)} | ${threshold} | ${metricNames.map((m) => `${formatNumber(o.metrics[m] ?? null)}${o.metricsCi95[m] === undefined ? '' : ` ± ${formatNumber(o.metricsCi95[m])}`} | `).join('')}${o.diverged}/${o.seeds} | ${formatNumber(o.wallMs)} |`,
      );
    }
    const winner = task.optimizers[0]!;
    lines.push('', `Winner on ${task.task}: **${winner.optimizer}** (${formatHparams(winner)}), mean final loss ${formatNumber(winner.finalLoss.mean)}.`, '');
    const paired = pairedRatios(task, 'adam');
    if (paired.length > 0) {
      lines.push('Paired with best-tuned adam, seed by seed (final-loss ratio; < 1 means better than adam):', '');
      lines.push('| optimizer | median ratio | quartiles | better than adam on |', '|---|---|---|---|');
      for (const p of paired) lines.push(`| ${p.optimizer} | ${formatNumber(p.median)} | ${formatNumber(p.q1)} – ${formatNumber(p.q3)} | ${p.wins}/${p.pairs} seeds |`);
      lines.push('');
    }
  }
  return `${lines.join('\n')}\n`;
}

function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_COLUMNS = [
  'task', 'rank', 'optimizer', 'hparams', 'gridPoints', 'seeds', 'finalLossMean', 'finalLossStd', 'bestLossMean', 'bestLossStd',
  'aucMean', 'aucStd', 'stepsToThresholdMean', 'reachedThreshold', 'diverged', 'wallMsPerRun', 'metrics',
] as const;

export function toCsv(summary: TaskSummary[]): string {
  const rows = summary.flatMap((t) =>
    t.optimizers.map((o) => [
      t.task, o.rank, o.optimizer, JSON.stringify(o.hparams), o.gridPoints, o.seeds, o.finalLoss.mean, o.finalLoss.std, o.bestLoss.mean, o.bestLoss.std,
      o.auc.mean, o.auc.std, o.stepsToThreshold.mean, o.stepsToThreshold.reached, o.diverged, o.wallMs, JSON.stringify(o.metrics),
    ]),
  );
  return `${[CSV_COLUMNS as readonly unknown[], ...rows].map((row) => row.map(csvField).join(',')).join('\n')}\n`;
}
