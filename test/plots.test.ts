/** The plots' fixes: legends at full opacity, distinguishable series, marker legends, uncut meta-training legend, floored losses noted. */
import test from 'ava';
import { lossCurveSpec, metaCurveSpec, renderSvg, summarize, trajectorySpec } from '../src/reporting/index.js';
import { OKABE_ITO, seriesStyle } from '../src/reporting/palette.js';
import type { RunRecord } from '../src/suite/record.js';

function run(optimizer: string, seed: number, losses: number[]): RunRecord {
  return {
    task: 'bowl', optimizer, hparams: { rule: 'sgd' }, seed, backend: 'cpu', steps: losses.length - 1, losses, finalLoss: losses.at(-1)!, bestLoss: Math.min(...losses),
    stepsToThreshold: null, auc: 1, wallMs: 1, diverged: false, optimum: 0, lossScale: 'log', trajectory: [[0, 1, 1], [1, 0.5, 0.5]],
  };
}

const names = Array.from({ length: 12 }, (_, i) => `optimizer ${i}`);

test('twelve series get twelve distinct colour-and-dash styles from a colour-blind-safe palette', (t) => {
  const styles = seriesStyle(names);
  t.is(new Set(styles.map((s) => `${s.color}|${s.dash.join(',')}`)).size, 12);
  t.true(styles.every((s) => OKABE_ITO.includes(s.color)));
  t.deepEqual(seriesStyle(['a', 'b']).map((s) => s.dash), [[1, 0], [1, 0]], 'few series: solid lines');
});

test('the loss plot\'s legend draws its lines at full opacity, with their dashes, and says when losses were floored', async (t) => {
  const records = names.flatMap((o, i) => [0, 1].map((seed) => run(o, seed, [1, 0.5, i === 0 ? 0 : 0.1 * (i + 1)])));
  const spec = lossCurveSpec(summarize(records)[0]!);
  const svg = await renderSvg(spec);
  const symbols = [...svg.matchAll(/role-legend-symbol[^>]*>(<path[^>]*>)/g)].map((m) => m[1]!);
  t.is(symbols.length, 12);
  t.true(symbols.every((s) => /opacity="1"/.test(s) && !/opacity="0\.1/.test(s)), symbols[0]);
  t.true(symbols.some((s) => /stroke-dasharray="6,3"/.test(s)));
  // optimizer 0 reached the optimum exactly on both seeds at step 2: drawn at the floor, and said so.
  t.regex(JSON.stringify(spec), /2 point\(s\) at or below f\* \+ 1e-12/);
});

test('the trajectory plot has a legend for its markers', async (t) => {
  const task = summarize([run('sgd', 0, [1, 0.5])])[0]!;
  const svg = await renderSvg(trajectorySpec(task, { bounds: { x: [-2, 2], y: [-2, 2] }, f: (x, y) => x * x + y * y, optimum: 0, minima: [[0, 0]] }));
  t.regex(svg, /start \(seed 0\)/);
  t.regex(svg, /known minimum/);
});

test('the meta-training plot keeps long names whole, in a legend below the plot', async (t) => {
  const long = 'lstm (BPTT) on a suitably long description — truncated BPTT (first-order), unroll 20';
  const report = { method: 'truncated BPTT', wallMs: 10, bestIteration: 1, curve: [{ iteration: 0, metaLoss: 2, wallMs: 0 }, { iteration: 1, metaLoss: 1, wallMs: 10 }], validation: [{ iteration: 1, loss: 1 }] };
  const spec = metaCurveSpec([{ optimizer: long, report: report as never }]);
  const svg = await renderSvg(spec);
  t.true(svg.includes(`${long} — truncated BPTT`), 'the label is not cut');
  t.is((spec as { config?: { legend?: { orient?: string } } }).config?.legend?.orient, 'bottom');
});
