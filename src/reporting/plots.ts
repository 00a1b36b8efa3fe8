/**
 * Plots, as vega-lite / vega specifications rendered to SVG (and PNG through
 * resvg): loss-vs-step curves for every task, and for 2-D landscapes a contour
 * map with each optimizer's seed-0 trajectory.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { OptimizerSummary, TaskSummary } from './summarize.js';
import { lineStyle, seriesStyle } from './palette.js';

/** The trajectory plot's markers, as drawn and as its legend names them. */
const MARKERS = [
  { label: 'start (seed 0)', shape: 'square', fill: 'black' },
  { label: 'known minimum', shape: 'cross', fill: '#d62728' },
] as const;
import { bootstrapCi, iqm } from './stats/index.js';

export interface ContourSource {
  bounds: { x: [number, number]; y: [number, number] };
  f: (x: number, y: number) => number;
  optimum?: number;
  minima?: Array<[number, number]>;
}

/** At most this many steps are drawn per curve (and bootstrapped): enough for a 560-pixel plot. */
const CURVE_POINTS = 200;
/** Losses this close to the optimum are drawn at this floor on a log axis (the plot says how many). */
export const LOG_FLOOR = 1e-12;

export interface CurveRow {
  optimizer: string;
  step: number;
  /** IQM over seeds, with the 95% bootstrap interval of the IQM. */
  centre: number;
  low: number;
  high: number;
}

/**
 * Per optimizer and (sub-sampled) step: the IQM of the plotted loss over seeds and
 * its 95% bootstrap interval (500 resamples, seed 0) — the statistic the tables
 * report. `floored` counts values drawn at LOG_FLOOR.
 */
export function curveRows(task: TaskSummary): { rows: CurveRow[]; floored: number } {
  const rows: CurveRow[] = [];
  let floored = 0;
  for (const o of task.optimizers) {
    const first = o.runs[0];
    if (first === undefined) continue;
    const useLog = first.lossScale !== 'symlog' && first.optimum !== undefined;
    const every = Math.max(1, Math.ceil((first.steps + 1) / CURVE_POINTS));
    for (let step = 0; step <= first.steps; step++) {
      if (step % every !== 0 && step !== first.steps) continue;
      const values = o.runs
        .map((r) => r.losses[step])
        .filter((l): l is number => l !== null && l !== undefined)
        .map((l) => {
          if (!useLog) return l;
          const above = l - (first.optimum ?? 0);
          if (above < LOG_FLOOR) floored++;
          return Math.max(above, LOG_FLOOR);
        });
      if (values.length === 0) continue;
      const ci = bootstrapCi(values, iqm, { samples: 500, seed: 0 });
      rows.push({ optimizer: o.optimizer, step, centre: ci.point, low: ci.low, high: ci.high });
    }
  }
  return { rows, floored };
}

export function lossCurveSpec(task: TaskSummary): TopLevelSpec {
  const first = task.optimizers[0]?.runs[0];
  const useLog = first !== undefined && first.lossScale !== 'symlog' && first.optimum !== undefined;
  const { rows, floored } = curveRows(task);
  const seeds = task.optimizers[0]?.seeds ?? 0;
  const yTitle = useLog ? 'loss − f* (log scale)' : 'loss (symlog scale)';
  const y = { scale: { type: useLog ? ('log' as const) : ('symlog' as const) } };
  const subtitle = [
    `line: IQM over ${seeds} seeds; band: its 95% bootstrap interval; each optimizer at its chosen grid point`,
    ...(floored > 0 ? [`${floored} point(s) at or below f* + ${LOG_FLOOR} (exact minimum reached) are drawn at ${LOG_FLOOR}`] : []),
  ];
  return bandedCurveSpec({ title: `${task.task}: loss vs step`, subtitle, rows, names: task.optimizers.map((o) => o.optimizer), y, yTitle });
}

/** One curve per optimizer with its interval as a band: the loss plot's and the evaluation plots' shared layout. */
export function bandedCurveSpec(o: { title: string; subtitle: string[]; rows: CurveRow[]; names: string[]; y: Record<string, unknown>; yTitle: string; points?: boolean }): TopLevelSpec {
  const style = lineStyle(o.names);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: o.title, subtitle: o.subtitle, subtitleFont: 'sans-serif' },
    width: 560,
    height: 340,
    background: 'white',
    data: { values: o.rows },
    encoding: { x: { field: 'step', type: 'quantitative', title: 'step' } },
    layer: [
      // One legend for band and line; its symbols are drawn at full opacity (symbolOpacity), not the band's.
      { mark: { type: 'area', opacity: 0.15 }, encoding: { y: { field: 'low', type: 'quantitative', ...o.y, title: o.yTitle }, y2: { field: 'high' }, color: style.color } },
      { mark: { type: 'line', strokeWidth: 1.8, ...(o.points === true ? { point: { size: 18 } } : {}) }, encoding: { y: { field: 'centre', type: 'quantitative', ...o.y }, ...style } },
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
  const styles = seriesStyle(task.optimizers.map((o) => o.optimizer));
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
      { name: 'color', type: 'ordinal', domain: styles.map((st) => st.name), range: styles.map((st) => st.color) },
      { name: 'dash', type: 'ordinal', domain: styles.map((st) => st.name), range: styles.map((st) => st.dash) },
      // The markers get a legend of their own, so a reader knows the square is the start and the cross a minimum.
      { name: 'markerShape', type: 'ordinal', domain: MARKERS.map((m) => m.label), range: MARKERS.map((m) => m.shape) },
      { name: 'markerFill', type: 'ordinal', domain: MARKERS.map((m) => m.label), range: MARKERS.map((m) => m.fill) },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'x' },
      { orient: 'left', scale: 'y', title: 'y' },
    ],
    legends: [
      { stroke: 'color', strokeDash: 'dash', title: 'optimizer', symbolType: 'stroke', symbolStrokeWidth: 2.5, labelLimit: 0 },
      { shape: 'markerShape', fill: 'markerFill', title: 'markers', symbolStrokeColor: 'white' },
    ],
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
              enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'y' }, stroke: { scale: 'color', field: 'optimizer' }, strokeDash: { scale: 'dash', field: 'optimizer' }, strokeWidth: { value: 1.6 } },
            },
          },
          {
            type: 'symbol',
            from: { data: 'series' },
            encode: { enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'y' }, fill: { scale: 'color', field: 'optimizer' }, size: { value: 9 } } },
          },
        ],
      },
      { type: 'symbol', from: { data: 'minima' }, encode: { enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'y' }, shape: { value: 'cross' }, size: { value: 140 }, fill: { value: MARKERS[1].fill }, stroke: { value: 'white' } } } },
      { type: 'symbol', from: { data: 'starts' }, encode: { enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'y' }, shape: { value: 'square' }, size: { value: 90 }, fill: { value: MARKERS[0].fill } } } },
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
  const names = [...new Set([...chosen.map((c) => c.optimizer), ...constants.map((c) => c.optimizer)])];
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
        encoding: { x: { field: 'step', type: 'quantitative', title: 'step' }, y, ...lineStyle(names), detail: { field: 'seed', type: 'nominal' } },
      },
      {
        data: { values: constants },
        mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 1.2 },
        encoding: { y, ...lineStyle(names) },
      },
    ],
  } as TopLevelSpec;
}
