/** The performance-profile plot: ρ(τ) per optimizer, τ from 1 to r_max on a log axis, its score in the legend. */
import type { TopLevelSpec } from 'vega-lite';
import type { AcrossTasks } from './acrossTasks.js';
import { metricSpec } from './metric.js';
import { lineStyle } from './palette.js';
import { R_MAX } from './stats/index.js';

export function profileSpec(across: AcrossTasks): TopLevelSpec {
  const sorted = [...across.profiles].sort((a, b) => b.score - a.score);
  const label = (o: string, score: number) => `${o} (score ${score.toFixed(3)})`;
  const values = sorted.flatMap((p) => p.taus.map((tau, i) => ({ optimizer: label(p.optimizer, p.score), tau, rho: p.rho[i] })));
  const names = sorted.map((p) => label(p.optimizer, p.score));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: `Performance profiles on ${metricSpec(across.metric).label} (${across.tasks.length} tasks)`, subtitle: `ρ(τ): fraction of tasks within τ× of the best optimizer's median cost; score = area over τ ∈ [1, ${R_MAX}] ÷ ${R_MAX - 1}`, subtitleFont: 'sans-serif' },
    width: 560,
    height: 340,
    background: 'white',
    data: { values },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
    encoding: {
      x: { field: 'tau', type: 'quantitative', title: 'τ (ratio to the best, log scale)', scale: { type: 'log', domain: [1, R_MAX] } },
      y: { field: 'rho', type: 'quantitative', title: 'fraction of tasks ρ(τ)', scale: { domain: [0, 1] } },
      ...lineStyle(names),
    },
  } as TopLevelSpec;
}
