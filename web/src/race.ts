/** The optimizer race page: state in the address, computed by the suite runner's loop, then animated step by step. */
import { LANDSCAPES, findLandscape, landscapeStart, landscapeTask, loadPretrained, pretrainedNames, raceOnLandscape, type LearnedOptimizer, type RaceOptimizer, type RunRecord } from '../../src/web/index.js';
import { formatNumber } from '../../src/reporting/tables.js';
import type { RuleSpec } from '../../src/rules/spec.js';
import { drawLineChart } from './chart.js';
import { clearErrors, currentBackend, element, messageOf, PALETTE, params, plottedLabel, plottedLoss, requestedBackend, showError, useBackend } from './common.js';
import { drawContours, type MapFrame } from './contour.js';

/** The 2-D suite's baselines (same names, so records match `alphaopt run suites/2d.json`), with a starting learning rate. */
const BASELINES: Array<{ id: string; name: string; rule: RuleSpec | string; learningRate: number }> = [
  { id: 'sgd', name: 'sgd', rule: 'sgd', learningRate: 0.001 },
  { id: 'momentum', name: 'momentum', rule: 'momentum', learningRate: 0.001 },
  { id: 'nesterov', name: 'nesterov', rule: 'nesterov', learningRate: 0.001 },
  { id: 'adagrad', name: 'adagrad', rule: 'adagrad', learningRate: 0.316 },
  { id: 'rmsprop', name: 'rmsprop', rule: 'rmsprop', learningRate: 0.01 },
  { id: 'rmsprop-centered', name: 'rmsprop (centered)', rule: { rule: 'rmsprop', options: { centered: true } }, learningRate: 0.01 },
  { id: 'adadelta', name: 'adadelta', rule: 'adadelta', learningRate: 10 },
  { id: 'adam', name: 'adam', rule: 'adam', learningRate: 0.1 },
  { id: 'adamax', name: 'adamax', rule: 'adamax', learningRate: 0.1 },
  { id: 'amsgrad', name: 'amsgrad', rule: 'amsgrad', learningRate: 0.1 },
  { id: 'adamw', name: 'adamw', rule: 'adamw', learningRate: 0.1 },
];

interface State {
  landscape: string;
  steps: number;
  start?: [number, number];
  /** The start is this suite seed's (exact, as `alphaopt run` draws it). */
  seed?: number;
  baselines: Map<string, number>;
  /** Checkpoint names or URLs, with their mode. */
  learned: Map<string, 'frozen' | 'online'>;
}

function readState(): State {
  const landscape = params.get('landscape') ?? 'rosenbrock';
  const start = params.get('start')?.split(',').map(Number);
  const seed = Number(params.get('seed'));
  const baselines = new Map<string, number>();
  for (const item of (params.get('opt') ?? 'sgd:0.001,momentum:0.001,adagrad:0.316,adam:0.1').split(',').filter(Boolean)) {
    const [id, lr] = item.split(':');
    const known = BASELINES.find((b) => b.id === id);
    if (known !== undefined) baselines.set(known.id, lr === undefined || !Number.isFinite(Number(lr)) ? known.learningRate : Number(lr));
  }
  const learned = new Map<string, 'frozen' | 'online'>();
  for (const item of (params.get('learned') ?? 'lstm-quadratic').split(',').filter(Boolean)) {
    const online = item.endsWith(':online');
    learned.set(decodeURIComponent(online ? item.slice(0, -':online'.length) : item), online ? 'online' : 'frozen');
  }
  return {
    landscape: LANDSCAPES.some((l) => l.id === landscape) ? landscape : 'rosenbrock',
    steps: Math.max(1, Math.min(2000, Number(params.get('steps') ?? 100) || 100)),
    ...(start !== undefined && start.length === 2 && start.every(Number.isFinite) ? { start: start as [number, number] } : {}),
    ...(params.get('seed') !== null && Number.isInteger(seed) && seed >= 0 ? { seed } : {}),
    baselines,
    learned,
  };
}

function stateToQuery(state: State): string {
  const q = new URLSearchParams();
  q.set('landscape', state.landscape);
  q.set('steps', String(state.steps));
  if (state.seed !== undefined) q.set('seed', String(state.seed));
  else if (state.start !== undefined) q.set('start', state.start.map((v) => Number(v.toPrecision(6))).join(','));
  q.set('opt', [...state.baselines].map(([id, lr]) => `${id}:${lr}`).join(','));
  q.set('learned', [...state.learned].map(([name, mode]) => `${encodeURIComponent(name)}${mode === 'online' ? ':online' : ''}`).join(','));
  q.set('backend', (element<HTMLSelectElement>('backend').value));
  return `?${q.toString()}`;
}

const loaded = new Map<string, LearnedOptimizer>();
async function learnedOptimizer(nameOrUrl: string): Promise<LearnedOptimizer> {
  let optimizer = loaded.get(nameOrUrl);
  if (optimizer === undefined) {
    optimizer = await loadPretrained(nameOrUrl);
    loaded.set(nameOrUrl, optimizer);
  }
  return optimizer;
}

function learnedChoice(nameOrUrl: string, checked: boolean, mode: 'frozen' | 'online'): void {
  const box = element('learned');
  const id = `learned-${box.children.length}`;
  const row = document.createElement('div');
  row.className = 'choice';
  row.innerHTML = `<input type="checkbox" id="${id}"><label for="${id}"></label><select aria-label="mode"><option value="frozen">frozen</option><option value="online">online</option></select>`;
  const [input, label, select] = [row.children[0] as HTMLInputElement, row.children[1] as HTMLLabelElement, row.children[2] as HTMLSelectElement];
  input.checked = checked;
  input.dataset['checkpoint'] = nameOrUrl;
  label.textContent = nameOrUrl;
  select.value = mode;
  select.setAttribute('aria-label', `${nameOrUrl}: frozen or online`);
  box.append(row);
}

function baselineChoices(state: State): void {
  const box = element('baselines');
  box.replaceChildren();
  for (const b of BASELINES) {
    const row = document.createElement('div');
    row.className = 'choice';
    row.innerHTML = `<input type="checkbox" id="use-${b.id}"><label for="use-${b.id}"></label><input type="number" step="any" min="0" id="lr-${b.id}">`;
    const [input, label, lr] = [row.children[0] as HTMLInputElement, row.children[1] as HTMLLabelElement, row.children[2] as HTMLInputElement];
    input.checked = state.baselines.has(b.id);
    input.dataset['baseline'] = b.id;
    label.textContent = b.name;
    lr.value = String(state.baselines.get(b.id) ?? b.learningRate);
    lr.setAttribute('aria-label', `${b.name} learning rate`);
    box.append(row);
  }
}

function formState(): State {
  const baselines = new Map<string, number>();
  for (const b of BASELINES) {
    if (element<HTMLInputElement>(`use-${b.id}`).checked) baselines.set(b.id, Number(element<HTMLInputElement>(`lr-${b.id}`).value));
  }
  const learned = new Map<string, 'frozen' | 'online'>();
  for (const row of Array.from(element('learned').querySelectorAll('.choice'))) {
    const input = row.querySelector('input')!;
    if (input.checked) learned.set(input.dataset['checkpoint']!, (row.querySelector('select') as HTMLSelectElement).value as 'frozen' | 'online');
  }
  const landscape = findLandscape(element<HTMLSelectElement>('landscape').value);
  const [x, y] = start.point;
  const moved = Number.isFinite(x) && Number.isFinite(y) && (x !== landscape.start[0] || y !== landscape.start[1]);
  return {
    landscape: landscape.id,
    steps: Number(element<HTMLInputElement>('steps').value) || 100,
    ...(moved ? { start: start.point } : {}),
    ...(start.seed !== undefined && start.seed !== 0 ? { seed: start.seed } : {}),
    baselines,
    learned,
  };
}

let frame: MapFrame | undefined;
/** The start as given (a suite seed's start is kept exact; the inputs show it rounded). */
let start: { point: [number, number]; seed?: number } = { point: [0, 0] };
let records: RunRecord[] = [];

function drawMap(): void {
  const landscape = findLandscape(element<HTMLSelectElement>('landscape').value);
  const task = landscapeTask(landscape);
  frame = drawContours(element<HTMLCanvasElement>('map'), task.landscape!, task.lossScale);
  drawStep(-1);
}

function startPoint(): [number, number] {
  return start.point;
}

function setStart(point: [number, number], seed?: number): void {
  start = seed === undefined ? { point } : { point, seed };
  element<HTMLInputElement>('start-x').value = String(Number(point[0].toPrecision(4)));
  element<HTMLInputElement>('start-y').value = String(Number(point[1].toPrecision(4)));
  records = [];
  drawStep(-1);
}

/** Paths up to `step` on the map, losses up to `step` on the chart (−1: the start point only). */
function drawStep(step: number): void {
  if (frame === undefined) return;
  const canvas = element<HTMLCanvasElement>('map');
  const context = canvas.getContext('2d')!;
  context.putImageData(frame.base, 0, 0);
  records.forEach((record, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const points = (record.trajectory ?? []).filter(([s]) => s <= step);
    context.strokeStyle = color;
    context.fillStyle = color;
    context.lineWidth = 2.5;
    context.beginPath();
    points.forEach(([, x, y], k) => {
      const [px, py] = frame!.toPixel(x, y);
      if (k === 0) context.moveTo(px, py);
      else context.lineTo(px, py);
    });
    context.stroke();
    const last = points[points.length - 1];
    if (last !== undefined) {
      const [px, py] = frame!.toPixel(last[1], last[2]);
      context.beginPath();
      context.arc(px, py, 4.5, 0, 2 * Math.PI);
      context.fill();
      context.strokeStyle = '#fff';
      context.lineWidth = 1.5;
      context.stroke();
    }
  });
  const [sx, sy] = frame.toPixel(...startPoint());
  context.strokeStyle = '#fff';
  context.lineWidth = 3;
  context.beginPath();
  context.arc(sx, sy, 8, 0, 2 * Math.PI);
  context.stroke();
  const scale = records[0]?.lossScale ?? 'log';
  const optimum = records[0]?.optimum ?? 0;
  const series = records.map((record, i) => ({
    name: record.optimizer,
    color: PALETTE[i % PALETTE.length]!,
    points: record.losses.slice(0, Math.max(0, step) + 1).flatMap((l, s) => (l === null ? [] : [[s, plottedLoss(l, scale, optimum)] as [number, number]])),
  }));
  const all = records.map((record) => ({ ...series[0]!, points: record.losses.flatMap((l, s) => (l === null ? [] : [[s, plottedLoss(l, scale, optimum)] as [number, number]])) }));
  const steps = records[0]?.steps ?? Number(element<HTMLInputElement>('steps').value);
  drawLineChart(element('chart') as unknown as SVGSVGElement, series, {
    xLabel: 'step',
    yLabel: scale === 'log' ? 'loss − optimum (log)' : 'loss (symmetric log)',
    xDomain: [0, steps],
    ...(all.length > 0 ? { yDomain: yDomainOf(all) } : {}),
    yTick: (v) => plottedLabel(v, scale),
    integerTicks: scale === 'log',
  });
}

function yDomainOf(series: Array<{ points: Array<[number, number]> }>): [number, number] {
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

function fillTable(): void {
  const body = element('results').querySelector('tbody')!;
  body.replaceChildren();
  records.forEach((record, i) => {
    const tr = document.createElement('tr');
    tr.dataset['optimizer'] = record.optimizer;
    const lr = record.hparams['learningRate'];
    const cells = [
      `<span class="swatch" style="background:${PALETTE[i % PALETTE.length]}"></span>`,
      lr === undefined ? '—' : formatNumber(Number(lr)),
      formatNumber(record.finalLoss),
      formatNumber(record.bestLoss),
      record.stepsToThreshold === null ? '—' : String(record.stepsToThreshold),
      record.diverged ? 'yes' : 'no',
    ];
    tr.innerHTML = cells.map((c, k) => (k === 0 ? `<th scope="row">${c}</th>` : `<td class="${k >= 2 && k <= 4 ? 'num' : ''}">${c}</td>`)).join('');
    tr.querySelector('th')!.append(record.optimizer);
    tr.children[2]!.setAttribute('data-value', String(record.finalLoss));
    body.append(tr);
  });
}

async function race(): Promise<void> {
  clearErrors();
  const state = formState();
  history.replaceState(null, '', stateToQuery(state));
  const button = element<HTMLButtonElement>('run');
  const status = element('status');
  const results = element('results');
  results.dataset['state'] = 'running';
  button.disabled = true;
  try {
    const backend = element<HTMLSelectElement>('backend').value as ReturnType<typeof requestedBackend>;
    if (currentBackend() !== backend) {
      status.textContent = `starting ${backend}…`;
      await useBackend(backend);
    }
    const optimizers: RaceOptimizer[] = BASELINES.filter((b) => state.baselines.has(b.id)).map((b) => ({ name: b.name, rule: b.rule, learningRate: state.baselines.get(b.id)! }));
    for (const [nameOrUrl, mode] of state.learned) {
      try {
        const learned = await learnedOptimizer(nameOrUrl);
        if (mode === 'online' && learned.onlineRule === undefined) throw new Error(`${nameOrUrl}: a '${learned.kind}' optimizer has no online mode; use it frozen`);
        optimizers.push({ name: mode === 'online' ? `${nameOrUrl} (online)` : nameOrUrl, learned, mode });
      } catch (error) {
        showError(messageOf(error));
      }
    }
    status.textContent = `racing ${optimizers.length} optimizers for ${state.steps} steps…`;
    const started = performance.now();
    records = [];
    const done = await raceOnLandscape({
      landscape: state.landscape,
      ...(state.start === undefined ? {} : { start: state.start }),
      steps: state.steps,
      optimizers,
      onResult: (record) => {
        status.textContent = `${record.optimizer} done`;
      },
    }).catch((error: unknown) => {
      throw new Error(`the race failed: ${messageOf(error)}`);
    });
    const wallMs = performance.now() - started;
    records = done;
    (window as unknown as { alphaoptRace: unknown }).alphaoptRace = { records, wallMs, backend, steps: state.steps };
    element('timing').textContent = `${optimizers.length} optimizers × ${state.steps} steps computed in ${(wallMs / 1000).toFixed(2)} s on ${backend}.`;
    fillTable();
    results.dataset['state'] = 'animating';
    status.textContent = 'animating…';
    await animate(state.steps);
    status.textContent = 'done';
    results.dataset['state'] = 'done';
  } catch (error) {
    showError(messageOf(error));
    results.dataset['state'] = 'failed';
    status.textContent = '';
  } finally {
    button.disabled = false;
  }
}

function animate(steps: number): Promise<void> {
  const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  const perFrame = reduced ? steps : Math.max(1, Math.ceil(steps / 90));
  return new Promise((resolve) => {
    let step = 0;
    const tick = () => {
      step = Math.min(steps, step + perFrame);
      drawStep(step);
      if (step < steps) requestAnimationFrame(tick);
      else resolve();
    };
    requestAnimationFrame(tick);
  });
}

async function main(): Promise<void> {
  const state = readState();
  const select = element<HTMLSelectElement>('landscape');
  for (const l of LANDSCAPES) select.add(new Option(`${l.id} — ${l.description}`, l.id));
  select.value = state.landscape;
  element<HTMLInputElement>('steps').value = String(state.steps);
  element<HTMLSelectElement>('backend').value = requestedBackend();
  const landscape = findLandscape(state.landscape);
  if (state.seed !== undefined && state.start === undefined) {
    setStart(landscapeStart(landscape, state.seed), state.seed);
    element<HTMLInputElement>('seed').value = String(state.seed);
  } else setStart(state.start ?? landscape.start, state.start === undefined ? 0 : undefined);
  baselineChoices(state);
  drawMap();

  select.addEventListener('change', () => {
    setStart(findLandscape(select.value).start, 0);
    drawMap();
  });
  element('reset-start').addEventListener('click', () => setStart(findLandscape(select.value).start, 0));
  element('use-seed').addEventListener('click', () => {
    const seed = Number(element<HTMLInputElement>('seed').value);
    if (Number.isInteger(seed) && seed >= 0) setStart(landscapeStart(findLandscape(select.value), seed), seed);
    else showError(`seed: expected a whole number ≥ 0, got '${element<HTMLInputElement>('seed').value}'`);
  });
  for (const id of ['start-x', 'start-y']) {
    element(id).addEventListener('change', () => setStart([Number(element<HTMLInputElement>('start-x').value), Number(element<HTMLInputElement>('start-y').value)]));
  }
  const canvas = element<HTMLCanvasElement>('map');
  canvas.addEventListener('click', (event) => {
    const rect = canvas.getBoundingClientRect();
    setStart(frame!.fromPixel(((event.clientX - rect.left) / rect.width) * canvas.width, ((event.clientY - rect.top) / rect.height) * canvas.height));
  });
  canvas.addEventListener('keydown', (event) => {
    const l = findLandscape(select.value);
    const dx = (l.bounds.x[1] - l.bounds.x[0]) / 50;
    const dy = (l.bounds.y[1] - l.bounds.y[0]) / 50;
    const [x, y] = startPoint();
    const moves: Record<string, [number, number]> = { ArrowLeft: [-dx, 0], ArrowRight: [dx, 0], ArrowUp: [0, dy], ArrowDown: [0, -dy] };
    const move = moves[event.key];
    if (move !== undefined) {
      event.preventDefault();
      setStart([x + move[0], y + move[1]]);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      void race();
    }
  });
  element('controls').addEventListener('submit', (event) => {
    event.preventDefault();
    void race();
  });
  element('share').addEventListener('click', () => {
    const url = new URL(stateToQuery(formState()), location.href).href;
    history.replaceState(null, '', url);
    void navigator.clipboard?.writeText(url).then(
      () => (element('status').textContent = 'link copied'),
      () => (element('status').textContent = `link: ${url}`),
    );
  });
  element('add-checkpoint').addEventListener('click', () => {
    const input = element<HTMLInputElement>('checkpoint-url');
    const url = input.value.trim();
    if (url === '') return;
    clearErrors();
    element('status').textContent = `loading ${url}…`;
    learnedOptimizer(url).then(
      (optimizer) => {
        learnedChoice(url, true, 'frozen');
        element('status').textContent = `added ${url} (a '${optimizer.kind}' optimizer)`;
        input.value = '';
      },
      (error: unknown) => {
        element('status').textContent = '';
        showError(`checkpoint ${url}: ${messageOf(error)}`);
      },
    );
  });

  element('learned').replaceChildren();
  try {
    const names = await pretrainedNames();
    for (const name of names) learnedChoice(name, state.learned.has(name), state.learned.get(name) ?? 'frozen');
  } catch (error) {
    showError(`the list of shipped checkpoints could not be read: ${messageOf(error)}`);
  }
  for (const [nameOrUrl, mode] of state.learned) {
    if (!Array.from(element('learned').querySelectorAll('input')).some((i) => i.dataset['checkpoint'] === nameOrUrl)) learnedChoice(nameOrUrl, true, mode);
  }
  try {
    await useBackend(requestedBackend());
  } catch (error) {
    showError(messageOf(error));
  }
  document.body.dataset['ready'] = 'true';
  if (params.get('autorun') === '1') await race();
}

void main();
