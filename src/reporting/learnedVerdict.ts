/**
 * The question a reader of a comparison suite asks first: does each learned
 * optimizer beat the best hand-designed one on this task? Per task, every learned
 * entry (a record with a `kind`) against the best-ranked baseline (a `rule`),
 * paired seed by seed on the primary metric. A verdict needs both a majority of
 * seeds and a two-sided Wilcoxon p below 0.05; otherwise it says "no clear
 * difference" rather than reading a ranking off overlapping intervals.
 */
import { metricSpec } from './metric.js';
import { pairedTest, type OptimizerSummary, type PairedTestSummary, type TaskSummary } from './summarize.js';

export interface LearnedVerdict {
  task: string;
  learned: OptimizerSummary;
  baseline: OptimizerSummary;
  paired: PairedTestSummary;
  /**
   * 'better'/'worse': most seeds and p < VERDICT_P. '… on every seed': unanimous, but with so few seeds that no
   * outcome reaches p < VERDICT_P (5 seeds: p ≥ 0.0625) — stated as such rather than as "no clear difference".
   */
  verdict: 'better' | 'worse' | 'better on every seed' | 'worse on every seed' | 'no clear difference';
}

export const VERDICT_P = 0.05;

const isLearned = (o: OptimizerSummary) => typeof o.hparams['kind'] === 'string';

export function learnedVerdicts(summary: readonly TaskSummary[], metric: string): LearnedVerdict[] {
  return summary.flatMap((task) => {
    // Optimizers come in rank order: the first baseline is the best-tuned one.
    const baseline = task.optimizers.find((o) => !isLearned(o));
    if (baseline === undefined) return [];
    return task.optimizers.filter(isLearned).flatMap((learned) => {
      const paired = pairedTest(learned.runs, baseline.runs, baseline.optimizer, metric);
      if (paired === undefined) return [];
      const majority = paired.better * 2 > paired.pairs ? 'better' : paired.better * 2 < paired.pairs ? 'worse' : undefined;
      const unanimous = paired.better === paired.pairs ? 'better' : paired.better === 0 && paired.ties === 0 ? 'worse' : undefined;
      const verdict = majority !== undefined && paired.wilcoxonP < VERDICT_P ? majority : unanimous !== undefined ? (`${unanimous} on every seed` as const) : 'no clear difference';
      return [{ task: task.task, learned, baseline, paired, verdict }];
    });
  });
}

/** summary.md's section; none when no task has both a learned optimizer and a baseline. */
export function learnedVerdictSection(verdicts: readonly LearnedVerdict[], metric: string, format: (o: OptimizerSummary) => { hparams: string; median: string; iqm: string }, formatP: (p: number) => string): string[] {
  if (verdicts.length === 0) return [];
  const label = metricSpec(metric).label;
  const lines = [
    `## Learned optimizers against the best tuned baseline (${label})`,
    '',
    `Per task, each learned optimizer against the baseline ranked first there, paired seed by seed on the scored seeds. Verdict "better"/"worse": on most seeds and two-sided Wilcoxon p < ${VERDICT_P}; "… on every seed": unanimous, but too few seeds for any p < ${VERDICT_P}; otherwise "no clear difference". Median · IQM [95% bootstrap CI].`,
    '',
    '| task | learned optimizer | median · IQM [95% CI] | best baseline (choice) | median · IQM [95% CI] | learned better on | p (Wilcoxon / sign) | verdict |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const v of verdicts) {
    const l = format(v.learned);
    const b = format(v.baseline);
    lines.push(`| ${v.task} | ${v.learned.optimizer} | ${l.median} · ${l.iqm} | ${v.baseline.optimizer} (${b.hparams}) | ${b.median} · ${b.iqm} | ${v.paired.better}/${v.paired.pairs} | ${formatP(v.paired.wilcoxonP)} / ${formatP(v.paired.signP)} | ${v.verdict} |`);
  }
  lines.push('');
  return lines;
}
