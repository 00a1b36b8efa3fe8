import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { describeProvenance, type Provenance } from '../provenance.js';
import { runsFile } from '../reporting/load.js';
// The report's modules (vega, vega-lite, d3: ~300 modules) are imported where a report is written, not when the CLI starts.
import type { MetaTrainingRecord, ReportProtocol, ReportResult } from '../reporting/index.js';
import { reportProtocolOf } from '../suite/tuning/protocol.js';
import { readSuite } from '../suite/decode.js';
import type { LandscapeView } from '../tasks/types.js';

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('(re)write summary.md, summary.csv and plots from DIR/runs.jsonl')
    .argument('<dir>', 'a results directory')
    .option('--no-png', 'write SVG plots only')
    .action(async (dir: string, options: { png: boolean }) => {
      const result = await rewriteReport(dir, options);
      const { describeSkipped } = await import('../reporting/index.js');
      for (const line of describeSkipped(runsFile(dir), result)) process.stderr.write(`alphaopt report: ${line}\n`);
      process.stdout.write(`${result.files.length} files written in ${dir}\n`);
    });
}

/** The report of a results folder from what it holds: runs.jsonl, suite.json (contour maps), metatraining.json, provenance.json. */
export async function rewriteReport(dir: string, options: { png: boolean }): Promise<ReportResult> {
  if (!existsSync(runsFile(dir))) throw new Error(`${dir}/runs.jsonl not found: run a suite first (alphaopt run <suite> --out ${dir})`);
  // The suite copy beside the results tells which tasks are landscapes (for contour maps).
  const landscapes = new Map<string, LandscapeView>();
  const suiteCopy = path.join(dir, 'suite.json');
  // …and its protocol: the primary metric, the reference, how grid points were chosen.
  let protocol: ReportProtocol | undefined;
  if (existsSync(suiteCopy)) {
    const suite = await readSuite(suiteCopy);
    for (const task of suite.tasks) if (task.landscape !== undefined) landscapes.set(task.id, task.landscape);
    protocol = reportProtocolOf(suite);
  }
  // Meta-training curves the run saved beside its results.
  const curves = path.join(dir, 'metatraining.json');
  const metaTraining = existsSync(curves) ? (JSON.parse(await readFile(curves, 'utf8')) as MetaTrainingRecord[]) : [];
  // Keep the runs' provenance at the top of the rewritten summary.
  const provenanceFile = path.join(dir, 'provenance.json');
  const header: string[] = [];
  if (existsSync(provenanceFile)) {
    const provenance = JSON.parse(await readFile(provenanceFile, 'utf8')) as Provenance & { suite?: string; earlierInvocations?: Provenance[] };
    header.push(`Runs of \`${provenance.suite ?? 'a suite'}\`; report rewritten by \`alphaopt report\` on ${new Date().toISOString()}.`);
    for (const earlier of provenance.earlierInvocations ?? []) header.push(`Earlier: ${describeProvenance(earlier)}`);
    header.push(describeProvenance(provenance));
  }
  const { writeReport } = await import('../reporting/index.js');
  return writeReport(dir, { contour: (id: string) => landscapes.get(id), png: options.png, metaTraining, header, ...(protocol === undefined ? {} : { protocol }) });
}
