/**
 * `alphaopt merge`: the folders of a suite's shards (or of any runs of one suite) into
 * one folder. Refuses folders of different suites, code versions or backends, and
 * incomplete or repeated shard sets; keeps one record per run key; writes the records
 * in plan order, so the merged file equals an unsharded run's.
 */
import { existsSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readRuns, runsFile } from '../reporting/load.js';
import { decodeSuite } from './decode.js';
import { inPlanOrder } from './order.js';
import { runKey, type RunRecord } from './record.js';
import type { Shard } from './shard.js';
import { openStore } from './store.js';

interface FolderProvenance {
  commit: string;
  dirty?: boolean;
  backend: string;
  suite?: string;
  steps?: number;
  shard?: Shard;
  date?: string;
  [key: string]: unknown;
}

export class MergeError extends Error {
  constructor(message: string) {
    super(`cannot merge: ${message}`);
    this.name = 'MergeError';
  }
}

export interface MergeSummary {
  runs: number;
  duplicates: number;
  malformed: number;
  warnings: string[];
}

async function readJson(file: string, what: string): Promise<unknown> {
  if (!existsSync(file)) throw new MergeError(`${file} not found; is ${path.dirname(file)} a results folder of 'alphaopt run'? (${what})`);
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new MergeError(`${file} is not valid JSON (${(error as Error).message})`);
  }
}

const canonical = (value: unknown): string => JSON.stringify(value, (_, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));

export async function mergeFolders(dirs: string[], out: string, options: { partial?: boolean; command?: string } = {}): Promise<MergeSummary> {
  if (dirs.length === 0) throw new MergeError('no folders given');
  const folders = [];
  for (const dir of dirs) {
    if (!existsSync(runsFile(dir))) throw new MergeError(`${path.join(dir, 'runs.jsonl')} not found; is ${dir} a results folder of 'alphaopt run'?`);
    folders.push({ dir, suite: await readJson(path.join(dir, 'suite.json'), 'the suite copy'), provenance: (await readJson(path.join(dir, 'provenance.json'), 'the provenance')) as FolderProvenance });
  }
  const [first] = folders;
  for (const f of folders.slice(1)) {
    if (canonical(f.suite) !== canonical(first!.suite)) throw new MergeError(`${path.join(f.dir, 'suite.json')} differs from ${path.join(first!.dir, 'suite.json')}: these are runs of different suites`);
    if (f.provenance.commit !== first!.provenance.commit) {
      throw new MergeError(`${f.dir} was run at commit ${f.provenance.commit}, ${first!.dir} at ${first!.provenance.commit}: records of different code versions are not comparable; rerun the odd shards at one commit`);
    }
    if (f.provenance.backend !== first!.provenance.backend) throw new MergeError(`${f.dir} ran on ${f.provenance.backend}, ${first!.dir} on ${first!.provenance.backend}: run every shard on one backend`);
  }
  checkShards(folders, options.partial === true);
  const warnings = folders.filter((f) => f.provenance.dirty === true).map((f) => `${f.dir} was run with uncommitted changes to commit ${f.provenance.commit}: the merge cannot tell whether the shards ran the same code`);

  const suite = decodeSuite(first!.suite, path.join(first!.dir, 'suite.json'));
  const seen = new Map<string, RunRecord>();
  let duplicates = 0;
  let malformed = 0;
  for (const f of folders) {
    const read = await readRuns(runsFile(f.dir));
    malformed += read.malformed.length;
    for (const record of read.records) {
      const key = runKey(record);
      if (seen.has(key)) duplicates += 1;
      else seen.set(key, record);
    }
  }
  const store = await openStore(out, { resume: false });
  await store.append(inPlanOrder(suite, [...seen.values()]));
  await writeFile(path.join(out, 'suite.json'), `${JSON.stringify(first!.suite, null, 2)}\n`);
  const { shard: _, ...own } = first!.provenance;
  const merged = { ...own, command: options.command ?? 'alphaopt merge', date: new Date().toISOString(), mergedFrom: dirs, earlierInvocations: folders.map((f) => f.provenance) };
  await writeFile(path.join(out, 'provenance.json'), `${JSON.stringify(merged, null, 2)}\n`);
  // Meta-training curves: every shard meta-trained (or loaded) the same learned optimizers; keep the first one's.
  const curves = folders.map((f) => path.join(f.dir, 'metatraining.json')).find((file) => existsSync(file));
  if (curves !== undefined) await copyFile(curves, path.join(out, 'metatraining.json'));
  return { runs: seen.size, duplicates, malformed, warnings };
}

function checkShards(folders: Array<{ dir: string; provenance: FolderProvenance }>, partial: boolean): void {
  const sharded = folders.filter((f) => f.provenance.shard !== undefined);
  if (sharded.length === 0) return;
  if (sharded.length < folders.length) throw new MergeError(`${folders.find((f) => f.provenance.shard === undefined)!.dir} is not a shard, ${sharded[0]!.dir} is: merge shards with shards`);
  const count = sharded[0]!.provenance.shard!.count;
  const byIndex = new Map<number, string>();
  for (const f of sharded) {
    const { index, count: n } = f.provenance.shard!;
    if (n !== count) throw new MergeError(`${f.dir} is shard ${index}/${n}, ${sharded[0]!.dir} one of ${count}: all shards must split the suite the same way`);
    if (byIndex.has(index)) throw new MergeError(`shard ${index}/${count} given twice (${byIndex.get(index)} and ${f.dir})`);
    byIndex.set(index, f.dir);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0 && !partial) throw new MergeError(`shard(s) ${missing.join(', ')} of ${count} missing; give every shard's folder, or --partial to merge what is there`);
}
