/**
 * Plots, as vega-lite / vega specifications rendered to SVG (and PNG through
 * resvg): loss-vs-step curves for every task, and for 2-D landscapes a contour
 * map with each optimizer's seed-0 trajectory.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { OptimizerSummary, TaskSummary } from './summarize.js';

export interface ContourSource {
  bounds: { x: [number, number]; y: [number, number] };
  f: (x: number, y: number) => number;
  optimum?: number;
  minima?: Array<[number, number]>;
}

/** Mean and min–max over seeds of the plotted loss at every step. */
export function curveRows(task: TaskSummary): Array<{ optimizer: string; step: number; mean: number; low: number; high: number }> {
  const rows: Array<{ optimizer: string; step: number; mean: number; low: number; high: number }> = [];
  for (const o of task.optimizers) {
    const first = o.runs[0];
    if (first === undefined) continue;
    const useLog = first.lossScale !== 'symlog' && first.optimum !== undefined;
    const transform = (l: number) => (useLog ? Math.max(l - (first.optimum ?? 0), 1e-12) : l);
    for (let step = 0; step <= first.steps; step++) {
      const values = o.runs.map((r) => r.losses[step]).filter((l): l is number => l !== null && l !== undefined).map(transform);
      if (values.length === 0) continue;
      rows.push({ optimizer: o.optimizer, step, mean: values.reduce((a, b) => a + b, 0) / values.length, low: Math.min(...values), high: Math.max(...values) });
    }
  }
  return rows;
}

export function lossCurveSpec(task: TaskSummary): TopLevelSpec {
  const first = task.optimizers[0]?.runs[0];
  const useLog = first !== undefined && first.lossScale !== 'symlog' && first.optimum !== undefined;
  const yTitle = useLog ? `loss − f* (log scale; mean, band = min–max over ${task.optimizers[0]!.seeds} seeds)` : 'loss (symlog scale; mean, band = min–max over seeds)';
  const y = { scale: { type: useLog ? ('log' as const) : ('symlog' as const) } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${task.task}: loss vs step (each optimizer at its best grid point)`,
    width: 560,
    height: 340,
    background: 'white',
    data: { values: curveRows(task) },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      // Optimizer names are long ("dqn, smoothed reward (fixed start)"): the default 160 px cuts them to the same prefix.
      color: { field: 'optimizer', type: 'nominal', scale: { scheme: 'tableau20' }, sort: task.optimizers.map((o) => o.optimizer), legend: { labelLimit: 400 } },
    },
    layer: [
      { mark: { type: 'area', opacity: 0.12 }, encoding: { y: { field: 'low', type: 'quantitative', ...y, title: yTitle }, y2: { field: 'high' } } },
      { mark: { type: 'line', strokeWidth: 1.6 }, encoding: { y: { field: 'mean', type: 'quantitative', ...y } } },
    ],
  } as TopLevelSpec;
}

/** A square grid of the landscape, log-compressed so valleys show, for vega's isocontour. */
function landscapeGrid(source: ContourSource, n: number): { width: number; height: number; values: number[] } {
  const values: number[] = [];
  const [x0, x1] = source.bounds.x;
  const [y0, y1] = source.bounds.y;
  for (let row = 0; row < n; row++) {
    const y = y1 - ((row + 0.5) / n) * (y1 - y0); // row 0 is the top of the picture
    for (let col = 0; col < n; col++) {
      const x = x0 + ((col + 0.5) / n) * (x1 - x0);
      const f = source.f(x, y);
      values.push(source.optimum === undefined ? Math.asinh(f) : Math.log10(Math.max(f - source.optimum, 0) + 1e-3));
    }
  }
  return { width: n, height: n, values };
}

export function trajectorySpec(task: TaskSummary, source: ContourSource): vega.Spec {
  const size = 460;
  const inside = (x: number, y: number) => x >= source.bounds.x[0] && x <= source.bounds.x[1] && y >= source.bounds.y[0] && y <= source.bounds.y[1];
  const points = task.optimizers.flatMap((o: OptimizerSummary) => {
    const run = o.runs.find((r) => r.seed === 0 && r.trajectory !== undefined);
    return (run?.trajectory ?? []).filter(([, x, y]) => inside(x, y)).map(([step, x, y]) => ({ optimizer: o.optimizer, step, x, y }));
  });
  const starts = task.optimizers
    .map((o) => o.runs.find((r) => r.seed === 0)?.trajectory?.[0])
    .filter((p): p is [number, number, number] => p !== undefined)
    .slice(0, 1)
    .map(([, x, y]) => ({ x, y }));
  const minima = (source.minima ?? []).map(([x, y]) => ({ x, y }));
  return {
    $schema: 'https://vega.github.io/schema/vega/v5.json',
    width: size,
    height: size,
    padding: 10,
    background: 'white',
    title: { text: `${task.task}: seed-0 trajectories (each optimizer at its best grid point)` },
    data: [
      { name: 'grid', values: [landscapeGrid(source, 90)] },
      { name: 'contours', source: 'grid', transform: [{ type: 'isocontour', scale: { expr: `${size} / datum.width` }, smooth: true, levels: 16, zero: false }] },
      { name: 'points', values: points },
      { name: 'starts', values: starts },
      { name: 'minima', values: minima },
    ],
    scales: [
      { name: 'x', type: 'linear', domain: source.bounds.x, range: 'width', zero: false, nice: false },
      { name: 'y', type: 'linear', domain: source.bounds.y, range: 'height', zero: false, nice: false },
      { name: 'shade', type: 'linear', domain: { data: 'contours', field: 'contour.value' }, range: { scheme: 'blues' }, reverse: true, zero: false },
      { name: 'color', type: 'ordinal', domain: task.optimizers.map((o) => o.optimizer), range: { scheme: 'tableau20' } },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'x' },
      { orient: 'left', scale: 'y', title: 'y' },
    ],
    legends: [{ stroke: 'color', title: 'optimizer', symbolType: 'stroke', labelLimit: 320 }],
    marks: [
      {
        type: 'shape',
        from: { data: 'contours' },
        clip: true,
        encode: { enter: { stroke: { value: '#7a8aa0' }, strokeWidth: { value: 0.5 }, fill: { scale: 'shade', field: 'contour.value' }, fillOpacity: { value: 0.55 } } },
        transform: [{ type: 'geoshape', field: 'datum.contour' }],
      },
      {
        type: 'group',
        from: { facet: { name: 'series', data: 'points', groupby: 'optimizer' } },
        // A facet group has no size of its own: give it the plot's, so clipping keeps what is inside the bounds.
        encode: { enter: { width: { signal: 'width' }, height: { signal: 'height' }, clip: { value: true } } },
        marks: [
          {
            type: 'line',
            from: { data: 'series' },
            encode: {
              enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'y' }, stroke: { scale: 'color', field: 'optimizer' }, strokeWidth: { value: 1.6 } },
            },
          },
          {
            type: 'symbol',
            from: { data: 'series' },
            encode: { enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'y' }, fill: { scale: 'color', field: 'optimizer' }, size: { value: 9 } } },
          },
        ],
      },
      { type: 'symbol', from: { data: 'minima' }, encode: { enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'y' }, shape: { value: 'cross' }, size: { value: 140 }, fill: { value: '#d62728' }, stroke: { value: 'white' } } } },
      { type: 'symbol', from: { data: 'starts' }, encode: { enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'y' }, shape: { value: 'square' }, size: { value: 90 }, fill: { value: 'black' } } } },
    ],
  } as unknown as vega.Spec;
}

export async function renderSvg(spec: vega.Spec | TopLevelSpec): Promise<string> {
  const vegaSpec = '$schema' in spec && String(spec.$schema).includes('vega-lite') ? compile(spec as TopLevelSpec).spec : (spec as vega.Spec);
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string): Uint8Array {
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true }, background: 'white' }).render().asPng();
}

/** Per-step values a controller chose (RunRecord.traces[name]) for every seed, beside the baselines' tuned constants. */
export function traceRows(task: TaskSummary, name: string): { chosen: Array<{ optimizer: string; seed: number; step: number; value: number }>; constants: Array<{ optimizer: string; value: number }> } {
  const chosen: Array<{ optimizer: string; seed: number; step: number; value: number }> = [];
  const constants: Array<{ optimizer: string; value: number }> = [];
  for (const o of task.optimizers) {
    const traced = o.runs.filter((r) => r.traces?.[name] !== undefined);
    for (const run of traced) {
      run.traces![name]!.forEach((value, step) => {
        if (value !== null && value > 0) chosen.push({ optimizer: o.optimizer, seed: run.seed, step, value });
      });
    }
    const constant = o.hparams[name];
    if (traced.length === 0 && typeof constant === 'number' && constant > 0) constants.push({ optimizer: `${o.optimizer} (tuned)`, value: constant });
  }
  return { chosen, constants };
}

/** The learning-rate trajectories of controllers (one line per seed), log scale, with the tuned baselines' constants as rules. */
export function traceCurveSpec(task: TaskSummary, name: string): TopLevelSpec {
  const { chosen, constants } = traceRows(task, name);
  const y = { field: 'value', type: 'quantitative' as const, scale: { type: 'log' as const }, title: `${name} (log scale)` };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${task.task}: ${name} chosen at each step (one line per seed; rules: tuned baselines)`,
    width: 560,
    height: 340,
    background: 'white',
    layer: [
      {
        data: { values: chosen },
        mark: { type: 'line', strokeWidth: 1.2, opacity: 0.8 },
        encoding: { x: { field: 'step', type: 'quantitative', title: 'step' }, y, color: { field: 'optimizer', type: 'nominal', scale: { scheme: 'tableau10' }, legend: { labelLimit: 400 } }, detail: { field: 'seed', type: 'nominal' } },
      },
      {
        data: { values: constants },
        mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 1.2 },
        encoding: { y, color: { field: 'optimizer', type: 'nominal' } },
      },
    ],
  } as TopLevelSpec;
}
