/**
 * The "protocol" header of a summary: what was measured and how it was compared —
 * the primary metric, scored and tuning seeds, how grid points were chosen and
 * with what budget, the statistics and the reference — read from the records
 * (which seeds ran as what) and from what the suite declared.
 */
import type { RunRecord } from '../suite/record.js';
import { metricSpec } from './metric.js';

export interface ReportProtocol {
  /** The primary metric (the suite's `metrics[0]`; default finalLoss). */
  metric?: string;
  reference?: string;
  /** The suite's tuning declaration (for the bracketing bound). */
  tuning?: { mode: 'held-out' | 'scored-seeds'; bracket?: boolean; maxExtensions?: number };
  /** How the evaluation metrics were measured (schedule, batch), when the suite has them. */
  evaluation?: string;
  bootstrapSamples?: number;
  bootstrapSeed?: number;
}

function seedList(seeds: number[]): string {
  const sorted = [...new Set(seeds)].sort((a, b) => a - b);
  if (sorted.length === 0) return 'none';
  const contiguous = sorted.every((s, i) => i === 0 || s === sorted[i - 1]! + 1);
  return `${sorted.length} (${contiguous && sorted.length > 2 ? `${sorted[0]}–${sorted.at(-1)}` : sorted.join(', ')})`;
}

export function describeProtocol(records: readonly RunRecord[], protocol: ReportProtocol = {}): string[] {
  const metric = protocol.metric ?? 'finalLoss';
  const tuningRuns = records.filter((r) => r.role === 'tuning');
  const scored = records.filter((r) => r.role !== 'tuning');
  const scoredSeeds = [...new Set(scored.map((r) => r.seed))];
  const minP = scoredSeeds.length > 0 ? 2 / 2 ** scoredSeeds.length : NaN;
  const lines = [`**Protocol.** Primary metric: **${metricSpec(metric).label}** (\`${metric}\`): it chooses each grid point, ranks the optimizers and is the metric the statistics below test.`];
  lines.push(`Scored seeds: ${seedList(scoredSeeds)}.`);
  if (tuningRuns.length > 0) {
    const extended = new Set(tuningRuns.filter((r) => (r.extension ?? 0) > 0).map((r) => `${r.task}|${r.optimizer}|${JSON.stringify(r.hparams)}`)).size;
    const bound = protocol.tuning?.maxExtensions === undefined ? '' : ` (at most ${protocol.tuning.maxExtensions} per side, or until the optimizer refuses the value)`;
    lines.push(
      `Tuning: **held out** — every grid point ran on tuning seeds ${seedList(tuningRuns.map((r) => r.seed))}, disjoint from the scored seeds; the point with the best mean ${metricSpec(metric).label} (a diverged run counting as the worst) was then run on the scored seeds. ` +
        (protocol.tuning?.bracket === false ? 'Grids were not bracketed.' : `Choices on a grid's edge were bracketed: the grid was extended in log steps${bound}; ${extended} point(s) were added.`) +
        // Read off the records: older runs evaluated tuning runs on the full schedule.
        (tuningRuns.some((r) => r.evaluation !== undefined && r.evaluation.steps.length <= 2 && r.evaluation.every >= r.steps) ? ' Tuning runs were evaluated at step 0 and the last step only (the choice reads nothing else).' : ''),
    );
  } else if (protocol.tuning?.mode === 'held-out') {
    lines.push('Tuning: held out, but no tuning run is recorded (no optimizer has a grid of more than one point).');
  } else {
    lines.push(`Tuning: **on the scored seeds** — every grid point ran on the seeds it is reported on and the best was kept (optimistic for tuned baselines; the papers reproduced here did the same).`);
  }
  lines.push("Budget: the runs each optimizer spent choosing its point (grid points × seeds) are in the 'tuning' column; optimizers without a grid had none (a learned optimizer's grid tunes its deployment options, such as an initial learning rate; its meta-training, done once, is not counted).");
  lines.push(
    `Statistics over the scored seeds: median, and IQM (mean of the middle half) with a 95% percentile interval from ${protocol.bootstrapSamples ?? 2000} bootstrap resamples (seed ${protocol.bootstrapSeed ?? 0}); a failed run (diverged, target not reached) counts as the worst value.` +
      (protocol.reference === undefined ? '' : ` Paired with **${protocol.reference}** seed by seed: two-sided Wilcoxon signed-rank and sign-test p-values (with ${scoredSeeds.length} seeds the smallest possible p is ${Number(minP.toPrecision(3))}).`),
  );
  lines.push(`Edge marker ⚠: the chosen value is the smallest or largest tried for that option (the optimum may lie beyond it).`);
  // The scored runs' schedule: tuning runs may have been evaluated at the end only (said in the tuning line).
  const curves = [...new Set(scored.flatMap((r) => (r.evaluation === undefined ? [] : [`${r.task}: ${r.evaluation.source}`])))];
  if (curves.length > 0) lines.push(`Evaluation curve (\`evalLoss\` = its last value, \`evalAuc\` = its mean, \`stepsToTarget\`/\`msToTarget\` = first evaluation at or below the target, training wall-clock per run excluding evaluation): ${curves.join('; ')}.`);
  else lines.push('No evaluation curve: losses are those of the step\'s own batch (a minibatch for minibatch tasks).');
  if (protocol.evaluation !== undefined) lines.push(`Evaluation: ${protocol.evaluation}`);
  return lines;
}
