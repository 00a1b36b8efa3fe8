/**
 * One writer per results folder. `DIR/.lock` is created exclusively (O_EXCL) and
 * holds who writes: pid, host, start time, command. A second `alphaopt run` on the
 * folder — with or without --resume — is refused with the holder's name, so two
 * processes never append the same runs. A lock whose process is gone (same host,
 * pid not running) is stale: it is taken over, and the log says so.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const LOCK_FILE = '.lock';

export interface LockHolder {
  pid: number;
  host: string;
  started: string;
  command: string;
}

export class ResultsLockedError extends Error {
  constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    super(
      `${path.dirname(file)} is being written by another run: pid ${holder.pid} on ${holder.host}, started ${holder.started} (${holder.command}). ` +
        `Wait for it to finish, or use another --out; if that process is surely gone, delete ${file}.`,
    );
    this.name = 'ResultsLockedError';
  }
}

/** Whether `pid` is a live process on this machine (a zombie, killed but not yet reaped, counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // Linux: field 3 of /proc/<pid>/stat is the state; Z = exited, waiting for its parent to reap it.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string') {
      return { pid: value.pid, host: value.host, started: String(value.started ?? 'unknown'), command: String(value.command ?? 'unknown command') };
    }
  } catch {
    // Not a lock this code wrote (locks appear whole): treated as stale below.
  }
  return undefined;
}

export interface ResultsLock {
  file: string;
  /** Removes the lock (only if it is still ours). */
  release(): Promise<void>;
}

/** Takes the lock on `dir` (creating the folder), or throws ResultsLockedError naming the live holder. */
export async function lockResults(dir: string, command: string, log: (line: string) => void = () => undefined): Promise<ResultsLock> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), command };
  const text = `${JSON.stringify(mine)}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // Written whole, then linked into place: link() fails if the lock exists, and a reader never sees a half-written one.
      const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
      await writeFile(temp, text);
      try {
        await link(temp, file);
      } finally {
        await rm(temp, { force: true });
      }
      return {
        file,
        async release() {
          const now = await readFile(file, 'utf8').catch(() => '');
          if (now === text) await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = parseHolder(await readFile(file, 'utf8').catch(() => ''));
    if (holder !== undefined && (holder.host !== mine.host || processAlive(holder.pid))) throw new ResultsLockedError(file, holder);
    log(holder === undefined ? `${file}: unreadable lock file, taken over` : `${file}: stale lock of pid ${holder.pid} (no longer running, started ${holder.started}), taken over`);
    await rm(file, { force: true });
  }
  throw new Error(`${file}: could not take the lock (another process keeps creating it)`);
}
