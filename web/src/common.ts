/** What every page shares: the backend from the address (?backend=), error display, colours. */
import { setupWebBackend, WEB_BACKENDS, type WebBackend, type WebBackendChoice } from '../../src/web/index.js';

export const params = new URLSearchParams(location.search);

export function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`page is missing #${id}`);
  return found as T;
}

/** The backend the address asks for (wasm by default: it equals the command line). */
export function requestedBackend(): WebBackend {
  const asked = params.get('backend') ?? 'wasm';
  return (WEB_BACKENDS as readonly string[]).includes(asked) ? (asked as WebBackend) : 'wasm';
}

let current: WebBackend | undefined;

/** Starts `backend` (the .wasm files are served from the site's wasm/ folder). */
export async function useBackend(backend: WebBackend): Promise<WebBackendChoice> {
  const choice = await setupWebBackend(backend, { wasmPaths: new URL('wasm/', document.baseURI).href });
  current = backend;
  return choice;
}

export function currentBackend(): WebBackend | undefined {
  return current;
}

export function showError(message: string): void {
  const box = element('errors');
  box.textContent = box.textContent === '' ? message : `${box.textContent}\n${message}`;
}

export function clearErrors(): void {
  element('errors').textContent = '';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** 24 distinguishable line colours (Tableau 10, then darker extras), so a race of every optimizer repeats none. */
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22', '#393b79', '#637939', '#843c39', '#7b4173', '#3182bd', '#e6550d', '#000000', '#5254a3', '#8ca252', '#bd9e39', '#ad494a', '#a55194', '#31a354', '#756bb1'];

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Loss on the plot's axis: log10 of the distance to the optimum, or symmetric log for losses unbounded below. */
export function plottedLoss(loss: number, scale: 'log' | 'symlog', optimum = 0): number {
  if (scale === 'symlog') return Math.sign(loss) * Math.log10(1 + Math.abs(loss));
  return Math.log10(Math.max(loss - optimum, 1e-16));
}

export function plottedLabel(value: number, scale: 'log' | 'symlog'): string {
  if (scale === 'symlog') {
    const raw = Math.sign(value) * (10 ** Math.abs(value) - 1);
    return Math.abs(raw) >= 1e4 ? raw.toExponential(0) : raw.toFixed(Math.abs(raw) < 10 ? 1 : 0);
  }
  return `1e${Math.round(value)}`;
}
