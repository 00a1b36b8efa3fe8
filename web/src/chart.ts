/** A small SVG line chart (loss curves on the race, training and explorer pages). */
export interface Series {
  name: string;
  color: string;
  /** Finite points only are drawn. */
  points: Array<[number, number]>;
}

export interface ChartOptions {
  xLabel: string;
  yLabel: string;
  yTick?: (value: number) => string;
  /** Fix the domains (so an animation does not rescale at every frame). */
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Integer y ticks only (log axes). */
  integerTicks?: boolean;
}

const SVG = 'http://www.w3.org/2000/svg';

function node(tag: string, attributes: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

export function domainOf(series: Series[], axis: 0 | 1): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) for (const p of s.points) if (Number.isFinite(p[axis])) { lo = Math.min(lo, p[axis]); hi = Math.max(hi, p[axis]); }
  if (!Number.isFinite(lo)) return [0, 1];
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

function ticks([lo, hi]: [number, number], integer: boolean): number[] {
  const span = hi - lo;
  let step = 10 ** Math.floor(Math.log10(span / 5));
  for (const m of [1, 2, 5, 10]) if (span / (step * m) <= 6) { step *= m; break; }
  if (integer) step = Math.max(1, Math.round(step));
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toPrecision(10)));
  return out;
}

export function drawLineChart(svg: SVGSVGElement, series: Series[], options: ChartOptions): void {
  const [width, height] = [620, 420];
  const m = { left: 64, right: 12, top: 12, bottom: 44 };
  const xd = options.xDomain ?? domainOf(series, 0);
  const yd = options.yDomain ?? domainOf(series, 1);
  const sx = (x: number) => m.left + ((x - xd[0]) / (xd[1] - xd[0] || 1)) * (width - m.left - m.right);
  const sy = (y: number) => height - m.bottom - ((Math.min(Math.max(y, yd[0]), yd[1]) - yd[0]) / (yd[1] - yd[0] || 1)) * (height - m.top - m.bottom);
  svg.replaceChildren();
  const axes = node('g', { stroke: '#333', 'font-size': 12, fill: '#222' });
  axes.append(node('line', { x1: m.left, y1: height - m.bottom, x2: width - m.right, y2: height - m.bottom }));
  axes.append(node('line', { x1: m.left, y1: m.top, x2: m.left, y2: height - m.bottom }));
  for (const t of ticks(xd, true)) {
    axes.append(node('line', { x1: sx(t), y1: height - m.bottom, x2: sx(t), y2: height - m.bottom + 5 }));
    axes.append(node('text', { x: sx(t), y: height - m.bottom + 18, 'text-anchor': 'middle', stroke: 'none' }, String(t)));
  }
  for (const t of ticks(yd, options.integerTicks ?? false)) {
    axes.append(node('line', { x1: m.left - 5, y1: sy(t), x2: width - m.right, y2: sy(t), stroke: '#ddd' }));
    axes.append(node('text', { x: m.left - 8, y: sy(t) + 4, 'text-anchor': 'end', stroke: 'none' }, options.yTick?.(t) ?? String(t)));
  }
  axes.append(node('text', { x: (m.left + width - m.right) / 2, y: height - 8, 'text-anchor': 'middle', stroke: 'none' }, options.xLabel));
  axes.append(node('text', { x: 14, y: (m.top + height - m.bottom) / 2, 'text-anchor': 'middle', stroke: 'none', transform: `rotate(-90 14 ${(m.top + height - m.bottom) / 2})` }, options.yLabel));
  svg.append(axes);
  for (const s of series) {
    const points = s.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
    if (points.length === 0) continue;
    const line = node('polyline', { points: points.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' '), fill: 'none', stroke: s.color, 'stroke-width': 2 });
    line.append(node('title', {}, s.name));
    line.setAttribute('data-series', s.name);
    svg.append(line);
  }
}
