/** summary.md and summary.csv from task summaries. */
import type { Malformed } from './load.js';
import { pairedRatios } from './paired.js';
import type { OptimizerSummary, Stat, TaskSummary } from './summarize.js';
import type { AcrossTasks } from './acrossTasks.js';
import { metricSpec } from './metric.js';
import { R_MAX } from './stats/index.js';
import { learnedVerdictSection, learnedVerdicts } from './learnedVerdict.js';
import { overviewSection } from './overview.js';

export function formatNumber(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return x === null ? '—' : String(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  return abs < 1e-3 || abs >= 1e5 ? x.toExponential(2) : Number(x.toPrecision(4)).toString();
}

const pm = (s: Stat) => (s.mean === null ? '—' : `${formatNumber(s.mean)} ± ${formatNumber(s.std)}`);

export function formatHparams(o: OptimizerSummary): string {
  const tuned = Object.entries(o.hparams).filter(([k]) => k !== 'rule' && k !== 'kind' && k !== 'mode');
  const edges = o.tuning?.edges ?? [];
  const text = tuned
    .map(([k, v]) => {
      const edge = edges.find((e) => e.key === k);
      return `${k}=${typeof v === 'number' ? formatNumber(v) : String(v)}${edge === undefined ? '' : ` ⚠${edge.side === 'low' ? 'lowest' : 'highest'} tried`}`;
    })
    .join(', ');
  const extended = (o.tuning?.extended ?? 0) > 0 ? `, ${o.tuning!.extended} added by bracketing` : '';
  return o.gridPoints > 1 ? `${text} (best of ${o.gridPoints}${extended})` : text || '—';
}

function formatTuning(o: OptimizerSummary): string {
  const t = o.tuning;
  if (t === undefined || t.mode === 'none') return '—';
  return `${t.mode === 'held-out' ? 'held-out' : 'scored seeds'}, ${t.budget} runs`;
}

/** A value in the metric's units; ±∞ is a failure (diverged or never reached). */
const formatValue = (x: number) => (Number.isFinite(x) ? formatNumber(x) : 'failed');

function formatPrimary(o: OptimizerSummary): [string, string] {
  if (o.primary === undefined) return ['—', '—'];
  const { median, iqm } = o.primary;
  return [formatValue(median), `${formatValue(iqm.point)} [${formatValue(iqm.low)}, ${formatValue(iqm.high)}]`];
}

const formatP = (p: number) => (p < 1e-3 ? p.toExponential(1) : Number(p.toPrecision(2)).toString());

function formatPaired(o: OptimizerSummary): string {
  if (o.paired === undefined) return '—';
  return `${formatP(o.paired.wilcoxonP)} / ${formatP(o.paired.signP)} (better on ${o.paired.better}/${o.paired.pairs})`;
}

export interface MarkdownExtras {
  /** The protocol header (describeProtocol). */
  protocol?: string[];
  /** Cross-task statistics on the primary metric. */
  across?: AcrossTasks;
  metric?: string;
  reference?: string;
}

function acrossTasksSection(a: AcrossTasks): string[] {
  const lines = [`## Across tasks (${metricSpec(a.metric).label})`, ''];
  if (a.profiles.length === 0) return [...lines, 'No task has a cost ≥ 0 on this metric: no cross-task statistics.', ''];
  lines.push(
    `Performance profiles (AlgoPerf): on each task an optimizer's median cost over seeds (${a.metric === 'testAccuracy' ? '1 − accuracy' : METRIC_COST_TEXT}) divided by the best optimizer's there; ρ(τ) = fraction of the ${a.tasks.length} tasks within τ× of the best; score = area under ρ over τ ∈ [1, ${R_MAX}] ÷ ${R_MAX - 1} (1 = best everywhere). See plots/performance-profiles.svg.`,
  );
  if (a.reference !== undefined) lines.push(`Normalised: each seed's cost ÷ ${a.reference}'s median cost on the same task (1 = as ${a.reference}, < 1 better), IQM over every task and seed with a 95% interval from the bootstrap stratified by task (${a.normalisedTasks.length} tasks).`);
  lines.push('');
  const head = `| optimizer | profile score | best on | within 2× on |${a.reference === undefined ? '' : ` IQM of cost ÷ ${a.reference} [95% CI] |`}`;
  lines.push(head, `|---|---|---|---|${a.reference === undefined ? '' : '---|'}`);
  const sorted = [...a.profiles].sort((x, y) => y.score - x.score);
  for (const p of sorted) {
    const w = a.within.get(p.optimizer)!;
    const n = a.normalised.get(p.optimizer);
    const norm = a.reference === undefined ? '' : ` ${n === undefined ? '—' : `${formatValue(n.point)} [${formatValue(n.low)}, ${formatValue(n.high)}]`} |`;
    lines.push(`| ${p.optimizer} | ${p.score.toFixed(3)} | ${Math.round(w.best * a.tasks.length)}/${a.tasks.length} | ${Math.round(w.twice * a.tasks.length)}/${a.tasks.length} |${norm}`);
  }
  lines.push('');
  if (a.excluded.length > 0) lines.push(`Left out: ${a.excluded.map((e) => `${e.task} (${e.reason})`).join('; ')}.`, '');
  return lines;
}

const METRIC_COST_TEXT = 'the value above the task\'s known optimum, or the value itself';

export function toMarkdown(summary: TaskSummary[], header: string[] = [], malformed: Malformed[] = [], extras: MarkdownExtras = {}): string {
  const lines = ['# Results', '', ...header.map((h) => `${h}  `), ''];
  if (extras.protocol !== undefined) lines.push(...extras.protocol.map((h) => `${h}  `), '');
  if (malformed.length > 0) {
    lines.push(`**${malformed.length} malformed line(s) in runs.jsonl were skipped:** ${malformed.map((m) => `line ${m.line} (${m.error})`).join('; ')}`, '');
  }
  const metric = extras.metric ?? 'finalLoss';
  const label = metricSpec(metric).label;
  const reference = extras.reference ?? 'adam';
  if (extras.across !== undefined) lines.push(...acrossTasksSection(extras.across));
  lines.push(...overviewSection(summary, metric, { number: formatNumber, primary: (o) => formatPrimary(o)[0] }));
  const verdictFormat = (o: OptimizerSummary) => {
    const [median, iqm] = formatPrimary(o);
    return { hparams: formatHparams(o), median, iqm };
  };
  lines.push(...learnedVerdictSection(learnedVerdicts(summary, metric), metric, verdictFormat, formatP));
  const metricNames = [...new Set(summary.flatMap((t) => t.optimizers.flatMap((o) => Object.keys(o.metrics))))];
  for (const task of summary) {
    lines.push(`## ${task.task}`, '');
    if (metricNames.length > 0) lines.push(`Task metrics: mean ± half-width of the 95% confidence interval over seeds (1.96·s/√n).`, '');
    lines.push(`Ranked by ${label}, mean over seeds (a failed run counts as the worst value; ties broken by the mean loss over the run).`, '');
    lines.push(`| rank | optimizer | hyper-parameters | tuning | ${label}: median | IQM [95% CI] | p vs ${reference} (Wilcoxon / sign) | final loss (mean ± std) | best loss | AUC | steps to threshold | ${metricNames.map((m) => `${m} | `).join('')}diverged | ms/run |`);
    lines.push(`|---|---|---|---|---|---|---|---|---|---|---|${metricNames.map(() => '---|').join('')}---|---|`);
    for (const o of task.optimizers) {
      const threshold = o.stepsToThreshold.reached === 0 ? `— (0/${o.seeds})` : `${formatNumber(o.stepsToThreshold.mean)} (${o.stepsToThreshold.reached}/${o.seeds})`;
      const [med, iq] = formatPrimary(o);
      lines.push(
        `| ${o.rank} | ${o.optimizer} | ${formatHparams(o)} | ${formatTuning(o)} | ${med} | ${iq} | ${formatPaired(o)} | ${pm(o.finalLoss)} | ${pm(o.bestLoss)} | ${pm(o.auc)} | ${threshold} | ${metricNames.map((m) => `${formatNumber(o.metrics[m] ?? null)}${o.metricsCi95[m] === undefined ? '' : ` ± ${formatNumber(o.metricsCi95[m])}`} | `).join('')}${o.diverged}/${o.seeds} | ${formatNumber(o.wallMs)} |`,
      );
    }
    const winner = task.optimizers[0]!;
    lines.push('', `Winner on ${task.task} by ${label}: **${winner.optimizer}** (${formatHparams(winner)}), median ${formatPrimary(winner)[0]}.`, '');
    const paired = pairedRatios(task, reference, metric);
    if (paired.length > 0) {
      lines.push(`Paired with ${reference}, seed by seed (ratio of ${label} costs${metricSpec(metric).lossLike ? ', above the task\'s optimum where it has one' : ''}; < 1 means better than ${reference}):`, '');
      lines.push(`| optimizer | median ratio | quartiles | better than ${reference} on |`, '|---|---|---|---|');
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
  'primaryMetric', 'primaryMedian', 'primaryIqm', 'primaryIqmLow', 'primaryIqmHigh', 'reference', 'wilcoxonP', 'signP', 'betterThanReference', 'pairs',
  'tuning', 'tuningBudget', 'bracketingAdded', 'gridEdge',
] as const;

export function toCsv(summary: TaskSummary[]): string {
  const rows = summary.flatMap((t) =>
    t.optimizers.map((o) => [
      t.task, o.rank, o.optimizer, JSON.stringify(o.hparams), o.gridPoints, o.seeds, o.finalLoss.mean, o.finalLoss.std, o.bestLoss.mean, o.bestLoss.std,
      o.auc.mean, o.auc.std, o.stepsToThreshold.mean, o.stepsToThreshold.reached, o.diverged, o.wallMs, JSON.stringify(o.metrics),
      o.primary?.metric, o.primary?.median, o.primary?.iqm.point, o.primary?.iqm.low, o.primary?.iqm.high, o.paired?.reference, o.paired?.wilcoxonP, o.paired?.signP, o.paired?.better, o.paired?.pairs,
      o.tuning?.mode, o.tuning?.budget, o.tuning?.extended, (o.tuning?.edges ?? []).map((e) => `${e.key}:${e.side}`).join(' '),
    ]),
  );
  return `${[CSV_COLUMNS as readonly unknown[], ...rows].map((row) => row.map(csvField).join(',')).join('\n')}\n`;
}
