/**
 * Where a figure came from: every bench result and every results/ table carries
 * this, so a number can always be traced to an AlphaOpt version (and commit, when
 * it ran from a checkout), a machine and a backend.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT, packageVersion } from './package.js';

/** A git working tree's state: HEAD and whether tracked files have uncommitted changes. */
export interface GitState {
  commit: string;
  dirty: boolean;
}

export interface Provenance {
  command: string;
  /** The AlphaOpt that ran: its package version, plus its own commit only when it ran from a git checkout of AlphaOpt. */
  alphaopt: { version: string } & Partial<GitState>;
  /** The git repository around the working directory, when that is not AlphaOpt's own checkout (say, a project that installed AlphaOpt). */
  workingDirectory?: GitState;
  /** Records written before AlphaOpt 0.1.1 have these instead: the working directory's commit. */
  commit?: string;
  dirty?: boolean;
  date: string;
  backend: string;
  backendDetail?: string;
  machine: { cpu: string; cores: number; memoryGiB: number; platform: string; node: string; hostname: string };
}

function git(cwd: string, args: string[]): string | null {
  try {
    return execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

const samePath = (a: string, b: string) => {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
};

/** The git repository holding `dir`: its top-level folder and state, or undefined outside one. */
export function gitState(dir: string): (GitState & { root: string }) | undefined {
  const root = git(dir, ['rev-parse', '--show-toplevel']);
  const commit = git(dir, ['rev-parse', 'HEAD']);
  if (root === null || commit === null) return undefined;
  return { root, commit, dirty: (git(dir, ['status', '--porcelain', '--untracked-files=no']) ?? '') !== '' };
}

export interface ProvenanceSources {
  /** The user's working directory (default: process.cwd()). */
  cwd?: string;
  /** Where AlphaOpt is (default: this package's root). */
  packageRoot?: string;
}

export function collectProvenance(backend: string, backendDetail?: string, command = process.argv.slice(1).join(' '), sources: ProvenanceSources = {}): Provenance {
  const packageRoot = sources.packageRoot ?? PACKAGE_ROOT;
  const cwd = sources.cwd ?? process.cwd();
  const version = packageVersion(packageRoot);
  // AlphaOpt's own commit only when its package root is the top of a git checkout:
  // installed under node_modules of the user's repository, git would answer with the user's commit.
  const own = gitState(packageRoot);
  const fromCheckout = own !== undefined && samePath(own.root, packageRoot);
  const user = gitState(cwd);
  const cpus = os.cpus();
  const provenance: Provenance = {
    command,
    alphaopt: { version, ...(fromCheckout ? { commit: own.commit, dirty: own.dirty } : {}) },
    ...(user !== undefined && !(fromCheckout && samePath(user.root, own.root)) ? { workingDirectory: { commit: user.commit, dirty: user.dirty } } : {}),
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

/** A commit hash shortened to 12 characters; anything else (say, 'unknown (not a git checkout)') whole. */
const shortCommit = (commit: string) => (/^[0-9a-f]{40}$/.test(commit) ? commit.slice(0, 12) : commit);
const describeGit = (state: Partial<GitState>) => `commit ${shortCommit(state.commit ?? 'unknown')}${state.dirty === true ? ' (uncommitted changes)' : ''}`;

/** One line for a results summary: command, backend, AlphaOpt version and commit, the working directory's commit, date, machine. */
export function describeProvenance(p: Provenance): string {
  const source =
    p.alphaopt === undefined
      ? describeGit(p) // a record from before versions were kept
      : `AlphaOpt ${p.alphaopt.version}${p.alphaopt.commit === undefined ? ' (installed package)' : `, ${describeGit(p.alphaopt)}`}` +
        (p.workingDirectory === undefined ? '' : ` · working directory ${describeGit(p.workingDirectory)}`);
  return `Command: \`${p.command}\` · backend ${p.backend} · ${source} · ${p.date} · ${p.machine.cpu}, ${p.machine.cores} cores.`;
}
