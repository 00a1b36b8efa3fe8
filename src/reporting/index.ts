/**
 * `alphaopt report`: runs.jsonl → summary.md, summary.csv and plots/. The report
 * does not know how a run was produced; it reads records only (plus, for 2-D
 * tasks, the landscape to draw under the trajectories).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readRuns, runsFile, type Malformed } from './load.js';
import { metaCurveSpec, type MetaTrainingRecord } from './metaCurves.js';
import { lossCurveSpec, renderSvg, svgToPng, traceCurveSpec, trajectorySpec, type ContourSource } from './plots.js';
import { summarize, type TaskSummary } from './summarize.js';
import { acrossTasks } from './acrossTasks.js';
import { describeProtocol, type ReportProtocol } from './protocol.js';
import { profileSpec } from './profilePlot.js';
import { evaluationCurveSpec, hasCurve } from './evaluationPlot.js';
import { toCsv, toMarkdown } from './tables.js';

export type { ContourSource } from './plots.js';
export { metaCurveSpec, type MetaTrainingRecord } from './metaCurves.js';
export { pairedRatios, type PairedRatio } from './paired.js';
export type { TaskSummary, OptimizerSummary } from './summarize.js';
export { summarize } from './summarize.js';
export { readRuns, type Malformed, type Runs } from './load.js';
export { toMarkdown, toCsv, CSV_COLUMNS } from './tables.js';
export { acrossTasks, type AcrossTasks } from './acrossTasks.js';
export { describeProtocol, type ReportProtocol } from './protocol.js';
export { METRICS, badness, cost } from './metric.js';
export * as stats from './stats/index.js';
export { lossCurveSpec, trajectorySpec, traceCurveSpec, traceRows, renderSvg, svgToPng } from './plots.js';

export interface ReportOptions {
  /** 2-D landscapes to draw contour maps for, by task id. */
  contour?: (taskId: string) => ContourSource | undefined;
  /** Lines for the top of summary.md (provenance). */
  header?: string[];
  /** Also write PNGs (default true). */
  png?: boolean;
  /** Meta-training reports of the suite's learned optimizers (plotted as plots/metatrain). */
  metaTraining?: MetaTrainingRecord[];
  /** A folder of earlier plots (e.g. the results `--replace` moved aside): a plot with the same inputs there is copied, not drawn. */
  reuseFrom?: string;
  /** The suite's primary metric, reference and tuning declaration (see protocol.ts); defaults: final loss, adam when present. */
  protocol?: ReportProtocol;
}

export interface ReportResult {
  /** Every file of the report, written now or kept from an earlier report. */
  files: string[];
  /** Plots kept as they were: their inputs had not changed since they were drawn. */
  unchanged: string[];
  summary: TaskSummary[];
  /** Lines of runs.jsonl that were skipped: not JSON, or not a run record. */
  malformed: Malformed[];
  /** Line numbers of records of a run already recorded on an earlier line (counted once). */
  duplicates: number[];
}

/** Runs a report skipped or dropped, in one line each (for stderr), or none. */
export function describeSkipped(file: string, { malformed, duplicates }: Pick<ReportResult, 'malformed' | 'duplicates'>): string[] {
  const list = (items: string[]) => `${items.slice(0, 10).join(', ')}${items.length > 10 ? `, … (${items.length - 10} more)` : ''}`;
  const lines: string[] = [];
  if (malformed.length > 0) lines.push(`${file}: ${malformed.length} malformed line(s) skipped: ${list(malformed.map((m) => `line ${m.line} (${m.error})`))}`);
  if (duplicates.length > 0) lines.push(`${file}: ${duplicates.length} duplicate record(s) of runs already recorded dropped (counted once): ${list(duplicates.map((d) => `line ${d}`))}`);
  return lines;
}

async function writeAtomically(file: string, data: string | Uint8Array): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  await writeFile(temp, data);
  await rename(temp, file);
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');

/**
 * Drawing the plots is most of a report's time, and a rerun or a resumed suite
 * usually changes few of them: plots/inputs.json keeps a hash of each plot's input
 * (its full spec, data included, and whether a PNG goes with it), and a plot whose
 * hash is unchanged and whose files are all there is not drawn again (nor one found
 * with the same hash in `reuseFrom`, which is copied).
 */
const INPUTS_FILE = 'inputs.json';
/** Bump when the drawing changes in a way the spec does not show (renderer options, PNG scale). */
const PLOT_FORMAT = 1;

async function readPlotInputs(file: string): Promise<Record<string, string>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
  } catch {
    // Missing or unreadable: every plot is drawn (and the file written afresh).
    return {};
  }
}

export async function writeReport(dir: string, options: ReportOptions = {}): Promise<ReportResult> {
  const file = runsFile(dir);
  const { records, malformed, duplicates } = await readRuns(file);
  if (records.length === 0) {
    throw new Error(`${file}: no valid run record${malformed.length > 0 ? `; ${describeSkipped(file, { malformed, duplicates })[0]!.slice(file.length + 2)}` : ' (the file is empty)'}`);
  }
  const protocol: ReportProtocol = { ...options.protocol, metric: options.protocol?.metric ?? 'finalLoss' };
  if (protocol.reference === undefined && records.some((r) => r.optimizer === 'adam')) protocol.reference = 'adam';
  const statistics = { metric: protocol.metric!, ...(protocol.reference === undefined ? {} : { reference: protocol.reference }), bootstrapSamples: protocol.bootstrapSamples ?? 2000, bootstrapSeed: protocol.bootstrapSeed ?? 0 };
  const summary = summarize(records, statistics);
  const across = acrossTasks(summary, statistics);
  const files: string[] = [];
  const write = async (name: string, data: string | Uint8Array) => {
    const file = path.join(dir, name);
    await writeAtomically(file, data);
    files.push(file);
  };
  const header = [...(options.header ?? []), ...(duplicates.length > 0 ? [`**${duplicates.length} duplicate record(s) of runs already recorded were dropped** (each run counted once): line(s) ${duplicates.slice(0, 20).join(', ')}${duplicates.length > 20 ? ', …' : ''}`] : [])];
  await write('summary.md', toMarkdown(summary, header, malformed, { protocol: describeProtocol(records, protocol), across, metric: protocol.metric!, ...(protocol.reference === undefined ? {} : { reference: protocol.reference }) }));
  await write('summary.csv', toCsv(summary));
  await mkdir(path.join(dir, 'plots'), { recursive: true });
  const inputsFile = path.join(dir, 'plots', INPUTS_FILE);
  const previous = await readPlotInputs(inputsFile);
  const elsewhere = options.reuseFrom === undefined ? {} : await readPlotInputs(path.join(options.reuseFrom, INPUTS_FILE));
  const inputs: Record<string, string> = {};
  const unchanged: string[] = [];
  const plot = async (name: string, spec: Parameters<typeof renderSvg>[0]) => {
    const names = [`${name}.svg`, ...(options.png !== false ? [`${name}.png`] : [])].map((n) => path.join('plots', n));
    const hash = createHash('sha256').update(JSON.stringify({ format: PLOT_FORMAT, png: options.png !== false, spec })).digest('hex');
    inputs[name] = hash;
    if (previous[name] === hash && names.every((n) => existsSync(path.join(dir, n)))) {
      unchanged.push(name);
      files.push(...names.map((n) => path.join(dir, n)));
      return;
    }
    if (elsewhere[name] === hash && names.every((n) => existsSync(path.join(options.reuseFrom!, path.basename(n))))) {
      for (const n of names) {
        await copyFile(path.join(options.reuseFrom!, path.basename(n)), `${path.join(dir, n)}.tmp-${process.pid}`);
        await rename(`${path.join(dir, n)}.tmp-${process.pid}`, path.join(dir, n));
        files.push(path.join(dir, n));
      }
      unchanged.push(name);
      return;
    }
    const svg = await renderSvg(spec);
    await write(names[0]!, svg);
    if (options.png !== false) await write(names[1]!, svgToPng(svg));
  };
  for (const task of summary) {
    await plot(`loss-${slug(task.task)}`, lossCurveSpec(task));
    const source = options.contour?.(task.task);
    if (source !== undefined && task.optimizers.some((o) => o.runs.some((r) => r.trajectory !== undefined))) {
      await plot(`trajectories-${slug(task.task)}`, trajectorySpec(task, source));
    }
    for (const field of ['loss', 'testLoss', 'testAccuracy'] as const) {
      if (hasCurve(task, field)) await plot(`eval-${field === 'loss' ? 'loss' : field}-${slug(task.task)}`, evaluationCurveSpec(task, field));
    }
    // Controllers' choices (e.g. the learning rate an RL agent set at each step).
    const traced = new Set(task.optimizers.flatMap((o) => o.runs.flatMap((r) => Object.keys(r.traces ?? {}))));
    for (const name of traced) await plot(`${name}-${slug(task.task)}`, traceCurveSpec(task, name));
  }
  if (options.metaTraining !== undefined && options.metaTraining.length > 0) await plot('metatrain', metaCurveSpec(options.metaTraining));
  if (across.tasks.length > 0) await plot('performance-profiles', profileSpec(across));
  // Written after the plots it describes, so a report cut short redraws rather than trusts.
  await writeAtomically(inputsFile, `${JSON.stringify(inputs, null, 2)}\n`);
  return { files, unchanged, summary, malformed, duplicates };
}
