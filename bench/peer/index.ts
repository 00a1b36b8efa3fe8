/**
 * Peer benchmark: AlphaOpt (wasm by default) against PyTorch eager on the same CPU, same workloads
 * (bench/peer/workloads.ts ↔ bench/peer/torch_workloads.py), repetitions INTERLEAVED in one run — each round
 * times every workload on one side, then on the other (the side that goes first alternates), so a machine
 * whose load changes during the run slows both alike. Medians; ratios = AlphaOpt / PyTorch.
 *
 *   npm run bench:peer -- [--rounds 7] [--threads 1] [--wasm-threads 1] [--only cnn,lstm] [--python python3] [--backend wasm]
 *                         [--rss-steps 3 | --no-rss] [--out bench/results]
 *
 * PyTorch runs with OMP_NUM_THREADS and torch.set_num_threads = --threads, on Debian's OpenMP OpenBLAS when
 * it is installed (libopenblas0-openmp). --wasm-threads N starts AlphaOpt's wasm backend with N XNNPACK threads
 * (setupBackend('wasm', { threads })); compare it with PyTorch at --threads N. Peak RSS of a ResNet-8 step is measured in a fresh process per side.
 * Writes bench/results/peer-<backend>-<date>.json with provenance. CI does not run this.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { list, positiveInt, startBench } from '../harness.js';
import { findPython, TorchPeer, torchPeakRss } from './torchPeer.js';
import { WORKLOADS } from './workloads.js';

const loadBefore = os.loadavg();
const { options, choice, writeResult } = await startBench<{ rounds: number; threads: number; wasmThreads: number; rssSteps: number; rss: boolean; only: string[]; python?: string }>({
  name: 'bench:peer',
  description: 'AlphaOpt against PyTorch eager on the same CPU, interleaved',
  backends: ['wasm', 'cpu', 'webgpu', 'tensorflow', 'auto'],
  flags: (c) =>
    c
      .option('--rounds <n>', 'interleaved rounds (medians over them)', positiveInt('--rounds'), 7)
      .option('--threads <n>', "PyTorch's threads (OMP_NUM_THREADS and torch.set_num_threads)", positiveInt('--threads'), 1)
      .option('--wasm-threads <n>', "XNNPACK threads on AlphaOpt's wasm side", positiveInt('--wasm-threads'), 1)
      .option('--rss-steps <n>', 'ResNet-8 steps of the peak-RSS runs', positiveInt('--rss-steps'), 3)
      .option('--no-rss', 'skip the peak-RSS runs')
      .option('--only <ids>', `workloads, some of ${WORKLOADS.map((w) => w.id).join(', ')}`, list, WORKLOADS.map((w) => w.id))
      .option('--python <path>', 'the Python with torch (default: python3, then /usr/bin/python3)'),
  setup: (o) => ({ threads: o['wasmThreads'] as number }),
});
const { rounds, threads, wasmThreads, rssSteps, rss: measureRss, only } = options;
const backend = options.backend;
const unknown = only.filter((id) => !WORKLOADS.some((w) => w.id === id));
if (unknown.length > 0) throw new Error(`--only: unknown workload '${unknown[0]}'; expected some of ${WORKLOADS.map((w) => w.id).join(', ')}`);
const python = findPython(options.python !== undefined ? [options.python] : ['python3', '/usr/bin/python3']);

/** Each side's repetitions per round: about this much time, so tiny workloads get enough samples. */
const TARGET_MS_PER_ROUND = 150;
const MAX_REPS = 50;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

console.log(`AlphaOpt on ${choice.backend} (${choice.detail ?? ''}); PyTorch via ${python}, ${threads} thread(s)`);

const selected = WORKLOADS.filter((w) => only.includes(w.id));
const runs = new Map<string, () => Promise<void>>();
for (const w of selected) runs.set(w.id, await w.prepare());
const peer = new TorchPeer(python, threads);
const torch = await peer.prepare([...new Set(selected.map((w) => w.peer))]);
console.log(`PyTorch ${torch.torch} (${torch.device}, ${torch.threads} thread(s), BLAS: ${torch.blasLibraries.join(', ') || 'built in'}; glibc malloc: ${Object.entries(torch.malloc).map(([k, v]) => `${k}=${v}`).join(' ') || 'defaults'})`);

async function timeAlphaOpt(id: string, reps: number): Promise<number[]> {
  const run = runs.get(id)!;
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times;
}

// Repetitions per round from the median of three timed calls of each side (the slower side sets the count).
const reps = new Map<string, number>();
for (const w of selected) {
  const slowest = Math.max(median(await timeAlphaOpt(w.id, 3)), median(await peer.time(w.peer, 3)));
  reps.set(w.id, Math.max(1, Math.min(MAX_REPS, Math.round(TARGET_MS_PER_ROUND / slowest))));
}

const samples = new Map(selected.map((w) => [w.id, { alphaopt: [] as number[], torch: [] as number[] }]));
for (let round = 0; round < rounds; round++) {
  for (const w of selected) {
    const k = reps.get(w.id)!;
    const s = samples.get(w.id)!;
    const sides = [async () => s.alphaopt.push(...(await timeAlphaOpt(w.id, k))), async () => s.torch.push(...(await peer.time(w.peer, k)))];
    if (round % 2 === 1) sides.reverse();
    for (const side of sides) await side();
  }
  console.log(`round ${round + 1}/${rounds} done (load average ${os.loadavg()[0]!.toFixed(2)})`);
}
peer.close();
for (const w of selected) w.dispose?.();

const matmulMs = samples.has('matmul') ? median(samples.get('matmul')!.alphaopt) : undefined;
const results = selected.map((w) => {
  const s = samples.get(w.id)!;
  const alphaoptMs = median(s.alphaopt);
  const torchMs = median(s.torch);
  // The FLOP floor at the rate AlphaOpt's own 512² matmul reached in this run.
  const floorMs = w.flops !== undefined && matmulMs !== undefined ? (w.flops / (2 * 512 ** 3)) * matmulMs : undefined;
  return {
    workload: w.id,
    title: w.title,
    peer: w.peer,
    alphaoptMedianMs: alphaoptMs,
    torchMedianMs: torchMs,
    ratio: alphaoptMs / torchMs,
    samples: s.alphaopt.length,
    ...(floorMs === undefined ? {} : { flops: w.flops, floorMs, ratioToFloor: alphaoptMs / floorMs }),
  };
});

let rss: { workload: string; steps: number; alphaoptBytes: number; torchBytes: number; ratio: number } | undefined;
if (measureRss && only.includes('resnet')) {
  const child = spawnSync(process.execPath, [path.join('dist-bench', 'bench', 'peer', 'rss.js'), 'resnet', String(rssSteps), backend], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`the AlphaOpt RSS run failed: ${child.stderr}`);
  const alphaoptBytes = (JSON.parse(child.stdout.trim().split('\n').pop()!) as { maxRssBytes: number }).maxRssBytes;
  const torchBytes = torchPeakRss(python, threads, 'resnet', rssSteps);
  rss = { workload: 'resnet', steps: rssSteps, alphaoptBytes, torchBytes, ratio: alphaoptBytes / torchBytes };
}

const loadAfter = os.loadavg();
console.table(results.map((r) => ({ workload: r.workload, alphaoptMs: +r.alphaoptMedianMs.toFixed(3), torchMs: +r.torchMedianMs.toFixed(3), ratio: +r.ratio.toFixed(2), ...(r.ratioToFloor === undefined ? {} : { ratioToFloor: +r.ratioToFloor.toFixed(2) }) })));
if (rss !== undefined) console.log(`ResNet-8 peak RSS: AlphaOpt ${(rss.alphaoptBytes / 2 ** 20).toFixed(0)} MiB, PyTorch ${(rss.torchBytes / 2 ** 20).toFixed(0)} MiB (${rss.ratio.toFixed(2)}×)`);
console.log(`load average (1 min) before ${loadBefore[0]!.toFixed(2)}, after ${loadAfter[0]!.toFixed(2)}`);

await writeResult('peer', 'peer benchmark: AlphaOpt vs PyTorch eager, interleaved', {
  torch,
  protocol: { rounds, torchThreads: threads, wasmThreads, repsPerRound: Object.fromEntries(reps), interleaved: true, statistic: 'median', loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
  results,
  ...(rss === undefined ? {} : { peakRss: rss }),
});
