/**
 * One row per backend — available or not and why, and how fast it trains the
 * reference CNN — for `alphaopt backends`.
 */
import tf from '#tfjs';
import { mnistCnn } from '../models/mnistCnn.js';
import { randomBatch, trainingStep } from '../models/trainingStep.js';
import { CONCRETE_BACKENDS, type ConcreteBackend } from './names.js';
import { attemptBackend, type SetupOptions } from './setup.js';

export interface BackendRow {
  backend: ConcreteBackend;
  available: boolean;
  /** Why it is unavailable, or what it runs on. */
  reason: string;
  /** Median ms per training step of the MNIST CNN at batch 8 (Adam), when measured. */
  cnnStepMs: number | null;
}

export interface ReportOptions extends SetupOptions {
  /** Time the CNN step (slow on cpu: seconds per step). */
  measure?: boolean;
  /** Timed steps per backend after one warm-up step. */
  steps?: number;
}

export async function measureCnnStep(batchSize: number, steps: number): Promise<number> {
  const model = mnistCnn({ seed: 1 });
  const optimizer = tf.train.adam(1e-3);
  const batch = randomBatch([28, 28, 1], batchSize, 10, 7);
  try {
    await trainingStep(model, optimizer, batch); // warm-up: kernel set-up, shader compilation
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const start = performance.now();
      await trainingStep(model, optimizer, batch);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] as number;
  } finally {
    model.dispose();
    optimizer.dispose();
    tf.dispose([batch.x, batch.y]);
  }
}

export async function reportBackends(options: ReportOptions = {}): Promise<BackendRow[]> {
  const rows: BackendRow[] = [];
  const previous = tf.getBackend();
  for (const backend of CONCRETE_BACKENDS) {
    const attempt = await attemptBackend(backend, options);
    if (!attempt.ok) {
      rows.push({ backend, available: false, reason: attempt.reason, cnnStepMs: null });
      continue;
    }
    const steps = backend === 'cpu' ? 1 : (options.steps ?? 5);
    const cnnStepMs = options.measure === false ? null : await measureCnnStep(8, steps);
    rows.push({ backend, available: true, reason: attempt.choice.detail ?? 'available', cnnStepMs });
  }
  if (previous !== undefined && previous !== null) await tf.setBackend(previous);
  return rows;
}

export function formatBackendTable(rows: BackendRow[]): string {
  const lines = rows.map((r) => {
    const speed = r.cnnStepMs === null ? '—' : `${r.cnnStepMs.toFixed(1)} ms/step`;
    return `${r.backend.padEnd(11)}${(r.available ? 'yes' : 'no').padEnd(11)}${speed.padEnd(16)}${r.reason}`;
  });
  return [`${'backend'.padEnd(11)}${'available'.padEnd(11)}${'CNN step (b=8)'.padEnd(16)}reason / detail`, ...lines].join('\n');
}
