/**
 * Where a figure came from: every bench result and every results/ table carries
 * this, so a number can always be traced to a commit, a machine and a backend.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface Provenance {
  command: string;
  commit: string;
  /** True when the working tree had uncommitted changes to tracked files. */
  dirty: boolean;
  date: string;
  backend: string;
  backendDetail?: string;
  machine: { cpu: string; cores: number; memoryGiB: number; platform: string; node: string; hostname: string };
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function collectProvenance(backend: string, backendDetail?: string, command = process.argv.slice(1).join(' ')): Provenance {
  const cpus = os.cpus();
  const provenance: Provenance = {
    command,
    commit: git(['rev-parse', 'HEAD']) ?? 'unknown (not a git checkout)',
    dirty: (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '',
    date: new Date().toISOString(),
    backend,
    machine: {
      cpu: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      node: process.version,
      hostname: os.hostname(),
    },
  };
  if (backendDetail !== undefined) provenance.backendDetail = backendDetail;
  return provenance;
}

/** One line for a results summary: command, backend, commit, date, machine. */
export function describeProvenance(p: Provenance): string {
  return `Command: \`${p.command}\` · backend ${p.backend} · commit ${p.commit.slice(0, 12)}${p.dirty ? ' (uncommitted changes)' : ''} · ${p.date} · ${p.machine.cpu}, ${p.machine.cores} cores.`;
}
