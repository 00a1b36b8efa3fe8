/**
 * CPU time of a process split into its main thread and the rest (V8's helper threads:
 * concurrent JIT compilation, GC), from /proc/<pid>/task/<tid>/stat — the counters that
 * explain why two processes on two cores do less than twice one process's work: one
 * process's helpers run on the idle core for free, two processes' helpers take turns
 * with the other's main thread. Linux only (undefined elsewhere, or once the process is gone).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuTime {
  mainMs: number;
  helpersMs: number;
}

/** Clock ticks per second of /proc's counters (USER_HZ, 100 on Linux). */
const TICKS = 100;

export function cpuTime(pid: number = process.pid): CpuTime | undefined {
  try {
    const time: CpuTime = { mainMs: 0, helpersMs: 0 };
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
      if (tid === String(pid)) time.mainMs += ms;
      else time.helpersMs += ms;
    }
    return time;
  } catch {
    return undefined;
  }
}

export const minus = (a: CpuTime | undefined, b: CpuTime | undefined): CpuTime | undefined =>
  a === undefined || b === undefined ? undefined : { mainMs: a.mainMs - b.mainMs, helpersMs: a.helpersMs - b.helpersMs };

export const plus = (a: CpuTime, b: CpuTime): CpuTime => ({ mainMs: a.mainMs + b.mainMs, helpersMs: a.helpersMs + b.helpersMs });

export const describeCpu = (t: CpuTime | undefined): string => (t === undefined ? 'n/a' : `main ${(t.mainMs / 1000).toFixed(2)} s + helpers ${(t.helpersMs / 1000).toFixed(2)} s`);

/** The pids of this process's children (the pool's workers), from /proc; empty where /proc is not there. */
export function childPids(): number[] {
  try {
    return readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter((s) => s !== '').map(Number);
  } catch {
    return [];
  }
}

/**
 * The CPU time of children, kept per pid at each `sample()` (read while they live: a child's counters go with it), so
 * `total()` is their CPU up to the last sample — take one where the work of interest ends (a meta-training's last iteration).
 */
export function childrenCpu(): { sample(): void; total(): CpuTime } {
  const last = new Map<number, CpuTime>();
  return {
    sample() {
      for (const pid of childPids()) {
        const t = cpuTime(pid);
        if (t !== undefined) last.set(pid, t);
      }
    },
    total: () => [...last.values()].reduce(plus, { mainMs: 0, helpersMs: 0 }),
  };
}

/**
 * A process's main thread from the scheduler's side (/proc/<pid>/task/<pid>/schedstat): time on a CPU and time
 * runnable but waiting for one. Wall time less both is the time it was blocked — waiting for work or for another
 * process's results — which, unlike wall time, does not grow with the machine's load.
 */
export interface MainThreadSched {
  runMs: number;
  waitMs: number;
}

export function mainThreadSched(pid: number = process.pid): MainThreadSched | undefined {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return run === undefined || wait === undefined ? undefined : { runMs: run / 1e6, waitMs: wait / 1e6 };
  } catch {
    return undefined;
  }
}
