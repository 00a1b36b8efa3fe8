/**
 * summary.md's "at a glance" table: optimizers × tasks, each cell the median of the
 * primary metric over the scored seeds (and the mean test accuracy where the task
 * has one), the tuned learning rate, and the winner marked — the table a results
 * README copies, so that it is written by the report and never typed by hand.
 */
import { metricSpec } from './metric.js';
import type { OptimizerSummary, TaskSummary } from './summarize.js';

export interface OverviewFormat {
  number(x: number | null): string;
  primary(o: OptimizerSummary): string;
}

function cell(o: OptimizerSummary, format: OverviewFormat): string {
  const accuracy = o.metrics['testAccuracy'];
  const lr = o.hparams['learningRate'];
  const edge = o.tuning.edges.some((e) => e.key === 'learningRate') ? ' ⚠' : '';
  const tuned = o.gridPoints > 1 && typeof lr === 'number' ? ` (η=${format.number(lr)}${edge})` : '';
  return `${format.primary(o)}${accuracy === undefined || !Number.isFinite(accuracy) ? '' : ` · ${(100 * accuracy).toFixed(1)}%`}${tuned}${o.rank === 1 ? ' **#1**' : ''}`;
}

export function overviewSection(summary: readonly TaskSummary[], metric: string, format: OverviewFormat): string[] {
  if (summary.length === 0) return [];
  const names = [...new Set(summary.flatMap((t) => t.optimizers.map((o) => o.optimizer)))];
  // Rows by mean rank over the tasks an optimizer ran on (ties: the order first seen).
  const meanRank = (name: string) => {
    const ranks = summary.flatMap((t) => t.optimizers.filter((o) => o.optimizer === name).map((o) => o.rank));
    return ranks.reduce((a, b) => a + b, 0) / ranks.length;
  };
  const rows = names.map((name, i) => ({ name, i, rank: meanRank(name) })).sort((a, b) => a.rank - b.rank || a.i - b.i);
  const accuracy = summary.some((t) => t.optimizers.some((o) => o.metrics['testAccuracy'] !== undefined));
  const lines = [
    '## At a glance',
    '',
    `Cell: median ${metricSpec(metric).label} over the scored seeds${accuracy ? ' · mean test accuracy' : ''}; (η = the learning rate tuning chose, ⚠ on the edge of those tried); **#1** = ranked first on the task. Rows by mean rank.`,
    '',
    `| optimizer | ${summary.map((t) => t.task).join(' | ')} |`,
    `|---|${summary.map(() => '---|').join('')}`,
  ];
  for (const row of rows) {
    const cells = summary.map((t) => {
      const o = t.optimizers.find((x) => x.optimizer === row.name);
      return o === undefined ? '—' : cell(o, format);
    });
    lines.push(`| ${row.name} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  return lines;
}
