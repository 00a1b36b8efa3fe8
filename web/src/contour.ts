/** The landscape as filled contour bands on a canvas, and the mapping between canvas pixels and (x, y). */
import type { LandscapeView } from '../../src/web/index.js';

export interface MapFrame {
  toPixel(x: number, y: number): [number, number];
  fromPixel(px: number, py: number): [number, number];
  base: ImageData;
}

// A dark-to-light ramp (viridis stops): paths drawn on it in saturated colours stay visible.
const STOPS: Array<[number, number, number]> = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

function ramp(t: number): [number, number, number] {
  const u = Math.min(Math.max(t, 0), 1) * (STOPS.length - 1);
  const i = Math.min(Math.floor(u), STOPS.length - 2);
  const f = u - i;
  const [a, b] = [STOPS[i]!, STOPS[i + 1]!];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

export function drawContours(canvas: HTMLCanvasElement, view: LandscapeView, scale: 'log' | 'symlog', bands = 22): MapFrame {
  const context = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const [x0, x1] = view.bounds.x;
  const [y0, y1] = view.bounds.y;
  const toPixel = (x: number, y: number): [number, number] => [((x - x0) / (x1 - x0)) * width, ((y1 - y) / (y1 - y0)) * height];
  const fromPixel = (px: number, py: number): [number, number] => [x0 + (px / width) * (x1 - x0), y1 - (py / height) * (y1 - y0)];
  const values = new Float64Array(width * height);
  const optimum = view.optimum ?? 0;
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const [x, y] = fromPixel(px + 0.5, py + 0.5);
      const f = view.f(x, y);
      values[py * width + px] = scale === 'symlog' ? Math.sign(f) * Math.log10(1 + Math.abs(f)) : Math.log10(Math.max(f - optimum, 0) + 1e-3);
    }
  }
  const sorted = Float64Array.from(values).sort();
  const lo = sorted[Math.floor(0.01 * sorted.length)]!;
  const hi = sorted[Math.floor(0.99 * sorted.length)]!;
  const band = (v: number) => Math.min(bands - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo || 1)) * bands)));
  const image = context.createImageData(width, height);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const b = band(values[py * width + px]!);
      const edge = (px > 0 && band(values[py * width + px - 1]!) !== b) || (py > 0 && band(values[(py - 1) * width + px]!) !== b);
      const [r, g, bl] = ramp(b / (bands - 1));
      const k = edge ? 0.72 : 1;
      const o = 4 * (py * width + px);
      image.data[o] = r * k;
      image.data[o + 1] = g * k;
      image.data[o + 2] = bl * k;
      image.data[o + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
  context.strokeStyle = '#fff';
  context.lineWidth = 2;
  for (const [mx, my] of view.minima ?? []) {
    const [px, py] = toPixel(mx, my);
    context.beginPath();
    context.moveTo(px - 6, py - 6);
    context.lineTo(px + 6, py + 6);
    context.moveTo(px + 6, py - 6);
    context.lineTo(px - 6, py + 6);
    context.stroke();
  }
  return { toPixel, fromPixel, base: context.getImageData(0, 0, width, height) };
}
