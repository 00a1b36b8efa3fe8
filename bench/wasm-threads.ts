/**
 * tfjs-backend-wasm's threaded SIMD build under Node (issue #20, "threads"): does it pay, does it behave?
 * Children start the backend through `setupBackend('wasm', { threads })` (src/backend/wasm/threads.ts, which
 * explains the workarounds tfjs needs under Node), time a 512² matmul and the Xu CNN's second convolution
 * ([50, 14, 14, 32] * [5, 5, 32, 64]) with 1 and N threads, children alternating (interleaved rounds, medians),
 * check the two agree, and record whether a child exits by itself once its work is done.
 *
 *   npm run bench:wasm-threads -- [--threads 2] [--rounds 3] [--out bench/results]
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { collectProvenance } from '../src/provenance.js';
import { setupBackend } from '../src/backend/index.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}

interface ChildReport {
  threads: number;
  matmulMs: number;
  convMs: number;
  checksum: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function child(threads: number): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  await setupBackend('wasm', { threads });
  const time = async (f: () => import('@tensorflow/tfjs').Tensor, reps: number) => {
    const times: number[] = [];
    for (let i = 0; i <= reps; i++) {
      const start = performance.now();
      const y = f();
      await y.data();
      y.dispose();
      if (i > 0) times.push(performance.now() - start); // the first call is a warm-up
    }
    return median(times);
  };
  const a = tf.randomUniform([512, 512], -1, 1, 'float32', 1);
  const x = tf.randomUniform([50, 14, 14, 32], -1, 1, 'float32', 2);
  const w = tf.randomUniform([5, 5, 32, 64], -1, 1, 'float32', 3);
  const matmulMs = await time(() => tf.matMul(a, a), 10);
  const convMs = await time(() => tf.conv2d(x as import('@tensorflow/tfjs').Tensor4D, w as import('@tensorflow/tfjs').Tensor4D, 1, 'same'), 5);
  const checksum = (await tf.conv2d(x as import('@tensorflow/tfjs').Tensor4D, w as import('@tensorflow/tfjs').Tensor4D, 1, 'same').sum().data())[0]!;
  const report: ChildReport = { threads: wasm.getThreadsCount(), matmulMs, convMs, checksum };
  console.log(JSON.stringify(report));
  // No process.exit: whether the process ends by itself is part of what is measured.
}

/** Runs a child; its report, and whether it exited within `graceMs` of reporting. */
function runChild(threads: number, graceMs: number): Promise<{ report: ChildReport; exitedByItself: boolean }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [process.argv[1]!, '--child', String(threads)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let report: ChildReport | undefined;
    let timer: NodeJS.Timeout | undefined;
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line !== undefined && report === undefined) {
        report = JSON.parse(line) as ChildReport;
        timer = setTimeout(() => {
          proc.kill('SIGKILL');
          resolve({ report: report!, exitedByItself: false });
        }, graceMs);
      }
    });
    proc.on('exit', (code) => {
      if (timer !== undefined) clearTimeout(timer);
      if (report === undefined) reject(new Error(`the ${threads}-thread child exited (${code}) without a report`));
      else resolve({ report, exitedByItself: true });
    });
  });
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  await child(Number(process.argv[childIndex + 1]));
} else {
  const threads = Number(flag('threads', '2'));
  const rounds = Number(flag('rounds', '3'));
  const outDir = flag('out', path.join('bench', 'results'));
  if (!Number.isInteger(threads) || threads < 2 || threads > 8) throw new Error(`--threads must be an integer from 2 to 8 (XNNPACK's pre-created workers), got '${flag('threads', '')}'`);
  const loadBefore = os.loadavg();
  const runs: Array<{ requested: number; report: ChildReport; exitedByItself: boolean }> = [];
  for (let r = 0; r < rounds; r++) {
    for (const requested of r % 2 === 0 ? [1, threads] : [threads, 1]) {
      const result = await runChild(requested, 10_000);
      runs.push({ requested, ...result });
      console.log(`round ${r + 1}: ${requested} thread(s) requested → ${result.report.threads} running; matmul ${result.report.matmulMs.toFixed(2)} ms, conv ${result.report.convMs.toFixed(1)} ms; exited by itself: ${result.exitedByItself}`);
    }
  }
  const summary = (requested: number) => {
    const mine = runs.filter((r) => r.requested === requested);
    return {
      requested,
      running: mine.map((r) => r.report.threads),
      matmulMedianMs: median(mine.map((r) => r.report.matmulMs)),
      convMedianMs: median(mine.map((r) => r.report.convMs)),
      exitedByItself: mine.map((r) => r.exitedByItself),
      checksums: mine.map((r) => r.report.checksum),
    };
  };
  const one = summary(1);
  const many = summary(threads);
  const record = {
    suite: 'tfjs-backend-wasm threaded SIMD build under Node',
    provenance: collectProvenance('wasm', `threads 1 vs ${threads}`),
    protocol: { rounds, interleaved: true, statistic: 'median', loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg() },
    single: one,
    threaded: many,
    speedup: { matmul: one.matmulMedianMs / many.matmulMedianMs, conv: one.convMedianMs / many.convMedianMs },
  };
  console.log(JSON.stringify(record.speedup), `load average ${loadBefore[0]!.toFixed(2)} → ${os.loadavg()[0]!.toFixed(2)}`);
  await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, `wasm-threads-${record.provenance.date.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
