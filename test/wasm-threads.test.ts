/**
 * setupBackend('wasm', { threads }): tfjs-backend-wasm's threaded build under Node (src/backend/wasm/threads.ts).
 * Each case runs in a child process (the build is chosen once per process): 2 threads start, one CNN training step
 * through AlphaOpt's wasm kernels agrees with the single-threaded build, and the process exits by itself.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { relativeError } from './helpers/compare.js';
import { setupBackend } from '../src/backend/index.js';

interface ChildResult {
  threads: number;
  detail: string;
  loss: number;
  gradients: number[][];
  adamUpdate: number[];
}

/** Runs the child; a child that has not exited 60 s after starting is killed, and that fails the test. */
function runChild(threads: number): Promise<{ result: ChildResult; exitCode: number | null; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['--import', 'tsx', path.resolve('test/helpers/wasm-threads-child.ts'), String(threads)], { timeout: 60_000 }, (error, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line === undefined) return reject(new Error(`the ${threads}-thread child printed no result (${error?.message ?? ''}): ${stderr}`));
      resolve({ result: JSON.parse(line) as ChildResult, exitCode: child.exitCode, killed: child.killed || error?.signal != null });
    });
  });
}

test('the threaded wasm build runs 2 threads, matches the single-threaded build, and lets the process exit', async (t) => {
  const single = await runChild(1);
  const threaded = await runChild(2);
  t.is(single.result.threads, 1);
  t.is(threaded.result.threads, 2);
  t.regex(threaded.result.detail, /2 thread\(s\)/);
  t.false(threaded.killed, 'the threaded child did not exit by itself within 60 s');
  t.is(threaded.exitCode, 0);
  t.true(Number.isFinite(threaded.result.loss) && threaded.result.loss > 0);
  t.true(relativeError([threaded.result.loss], [single.result.loss]) < 1e-5, `loss ${threaded.result.loss} vs ${single.result.loss}`);
  threaded.result.gradients.forEach((g, i) => t.true(relativeError(g, single.result.gradients[i]!) < 1e-4, `gradient ${i}`));
  t.true(relativeError(threaded.result.adamUpdate, single.result.adamUpdate) < 1e-4, 'fused Adam update');
});

test('a thread count out of range is refused with the range', async (t) => {
  const error = await t.throwsAsync(() => setupBackend('wasm', { threads: 9 }));
  t.regex(error!.message, /wasm threads must be an integer from 1 to 8/);
});
