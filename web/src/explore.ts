/** Results explorer: a runs.jsonl in, the tables `alphaopt report` writes (same code) and loss curves out. */
import { marked } from 'marked';
import { parseRuns } from '../../src/reporting/parseRuns.js';
import { summarize, type TaskSummary } from '../../src/reporting/summarize.js';
import { formatHparams, formatNumber, toMarkdown } from '../../src/reporting/tables.js';
import { drawLineChart } from './chart.js';
import { clearErrors, element, escapeHtml, messageOf, PALETTE, params, plottedLabel, plottedLoss, showError } from './common.js';

function show(text: string, source: string): void {
  const { records, malformed } = parseRuns(text);
  if (records.length === 0) {
    showError(`${source}: no run records${malformed.length > 0 ? ` (${malformed.length} malformed line(s); the first: line ${malformed[0]!.line}, ${malformed[0]!.error})` : ''}; is this a runs.jsonl written by alphaopt run?`);
    return;
  }
  const summary = summarize(records);
  const winners = element('winners').querySelector('tbody')!;
  winners.replaceChildren();
  for (const task of summary) {
    const best = task.optimizers[0]!;
    const tr = document.createElement('tr');
    tr.dataset['task'] = task.task;
    for (const [k, text] of [task.task, best.optimizer, formatHparams(best), formatNumber(best.finalLoss.mean)].entries()) {
      const cell = document.createElement(k === 0 ? 'th' : 'td');
      if (k === 0) cell.setAttribute('scope', 'row');
      if (k === 3) cell.className = 'num';
      cell.textContent = text;
      tr.append(cell);
    }
    winners.append(tr);
  }
  element('winners-section').hidden = false;
  plots(summary);
  // The markdown alphaopt report writes, rendered; names come from the file, so HTML in them is shown as text.
  const markdown = toMarkdown(summary, [`Loaded ${records.length} runs from ${source}.`], malformed);
  element('report').innerHTML = marked.parse(escapeHtml(markdown), { async: false });
  element('status').textContent = `${records.length} runs, ${summary.length} tasks`;
  document.body.dataset['loaded'] = 'true';
}

/** Mean loss over seeds against step, for each optimizer's chosen grid point. */
function plots(summary: TaskSummary[]): void {
  const box = element('plots');
  box.replaceChildren();
  for (const task of summary) {
    const scale = task.optimizers[0]?.runs[0]?.lossScale ?? 'log';
    const optimum = task.optimizers[0]?.runs[0]?.optimum ?? 0;
    const figure = document.createElement('figure');
    const caption = document.createElement('figcaption');
    caption.textContent = `${task.task}: mean loss over seeds (best grid point of each optimizer)`;
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 620 420');
    svg.setAttribute('class', 'chart');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', caption.textContent);
    figure.append(svg, caption);
    box.append(figure);
    const series = task.optimizers.map((o, i) => {
      const steps = Math.max(...o.runs.map((r) => r.losses.length));
      const points: Array<[number, number]> = [];
      for (let s = 0; s < steps; s++) {
        const values = o.runs.map((r) => r.losses[s]).filter((v): v is number => typeof v === 'number');
        if (values.length > 0) points.push([s, plottedLoss(values.reduce((a, b) => a + b, 0) / values.length, scale, optimum)]);
      }
      return { name: o.optimizer, color: PALETTE[i % PALETTE.length]!, points };
    });
    drawLineChart(svg, series, { xLabel: 'step', yLabel: scale === 'log' ? 'loss − optimum (log)' : 'loss (symmetric log)', yTick: (v) => plottedLabel(v, scale), integerTicks: scale === 'log' });
    const legend = document.createElement('p');
    legend.innerHTML = series.map((s) => `<span class="swatch" style="background:${s.color}"></span>${escapeHtml(s.name)}`).join(' &nbsp; ');
    figure.append(legend);
  }
}

async function loadUrl(url: string): Promise<void> {
  clearErrors();
  const absolute = new URL(url, document.baseURI).href;
  element('status').textContent = `loading ${absolute}…`;
  try {
    const response = await fetch(absolute);
    if (!response.ok) throw new Error(`cannot fetch ${absolute}: HTTP ${response.status}`);
    show(await response.text(), absolute);
  } catch (error) {
    element('status').textContent = '';
    showError(messageOf(error));
  }
}

function main(): void {
  element<HTMLInputElement>('file').addEventListener('change', async (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file === undefined) return;
    clearErrors();
    show(await file.text(), file.name);
  });
  element('controls').addEventListener('submit', (event) => {
    event.preventDefault();
    const url = element<HTMLInputElement>('url').value.trim();
    if (url !== '') {
      history.replaceState(null, '', `?runs=${encodeURIComponent(url)}`);
      void loadUrl(url);
    }
  });
  element('load-2d').addEventListener('click', () => {
    element<HTMLInputElement>('url').value = 'results/2d/runs.jsonl';
    history.replaceState(null, '', '?runs=results/2d/runs.jsonl');
    void loadUrl('results/2d/runs.jsonl');
  });
  document.body.dataset['ready'] = 'true';
  const runs = params.get('runs');
  if (runs !== null) {
    element<HTMLInputElement>('url').value = runs;
    void loadUrl(runs);
  }
}

main();
