/**
 * The PyTorch side of the peer benchmark as a child process (bench/peer/torch_workloads.py in server mode):
 * one JSON request per line, one JSON answer per line, so the two sides take turns and never run at once.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const TORCH_SCRIPT = path.join('bench', 'peer', 'torch_workloads.py');

/** Debian's OpenMP build of OpenBLAS: python3-torch links the generic libblas, which this directory overrides. */
const OPENBLAS_OPENMP = '/usr/lib/x86_64-linux-gnu/openblas-openmp';

export interface TorchDescription {
  torch: string;
  python: string;
  threads: number;
  device: string;
  blasLibraries: string[];
  /** glibc's malloc settings the timed process ran with (TORCH_MALLOC), as it read them. */
  malloc: Record<string, string>;
}

/**
 * glibc settings for the timed PyTorch process: keep freed memory instead of giving it back to the kernel. By default
 * glibc maps every allocation of ≥ 32 MiB afresh and unmaps it at free, so a workload whose step allocates such
 * temporaries (the LSTM optimizer's [101,770, 80] gates) page-faults its memory in again every step: on this VM the
 * LSTM update took 70–600 ms a step that way against ~70 ms with these settings. A PyTorch user who cares about
 * speed runs with a caching allocator; our peer must not be slowed by the kernel. Not applied to the peak-RSS run,
 * where giving memory back is PyTorch's default and lowers its peak. A value the caller set is kept.
 */
export const TORCH_MALLOC: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '4294967296', MALLOC_TRIM_THRESHOLD_: '4294967296' };

/**
 * The environment the PyTorch side runs in: `threads` OpenMP threads, the OpenMP OpenBLAS where Debian has it, and
 * for timing (`keepFreedMemory`) glibc's freed memory kept (TORCH_MALLOC).
 */
export function torchEnvironment(threads: number, keepFreedMemory = false): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...(keepFreedMemory ? TORCH_MALLOC : {}), ...process.env, OMP_NUM_THREADS: String(threads) };
  if (env.LD_LIBRARY_PATH === undefined && existsSync(OPENBLAS_OPENMP)) env.LD_LIBRARY_PATH = OPENBLAS_OPENMP;
  return env;
}

/** The first of `candidates` that imports torch; a clear error naming the fix when none does. */
export function findPython(candidates: string[]): string {
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  throw new Error(
    `none of ${candidates.join(', ')} can import torch: install PyTorch (Debian: apt-get install python3-torch) or pass --python /path/to/python3`,
  );
}

export class TorchPeer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  private stderr = '';

  constructor(python: string, threads: number) {
    this.child = spawn(python, ['-u', TORCH_SCRIPT, '--threads', String(threads)], { env: torchEnvironment(threads, true) });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.resolve(line));
    this.child.on('exit', (code) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`${TORCH_SCRIPT} exited (${code}): ${this.stderr.slice(-2000)}`));
    });
  }

  private request<T>(message: object): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ resolve: (line) => resolve(JSON.parse(line) as T), reject });
      this.child.stdin.write(`${JSON.stringify(message)}\n`);
    });
  }

  /** Builds and warms up the named workloads. */
  prepare(workloads: string[]): Promise<TorchDescription> {
    return this.request<TorchDescription>({ prepare: workloads });
  }

  async time(workload: string, reps: number): Promise<number[]> {
    return (await this.request<{ timesMs: number[] }>({ workload, reps })).timesMs;
  }

  close(): void {
    this.child.stdin.end();
  }
}

/** Peak RSS of `steps` steps of a workload in a fresh PyTorch process. */
export function torchPeakRss(python: string, threads: number, workload: string, steps: number): number {
  const run = spawnSync(python, [TORCH_SCRIPT, '--threads', String(threads), '--rss', workload, '--steps', String(steps)], {
    env: torchEnvironment(threads),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`${TORCH_SCRIPT} --rss ${workload} failed: ${run.stderr}`);
  return (JSON.parse(run.stdout.trim().split('\n').pop()!) as { maxRssBytes: number }).maxRssBytes;
}
