/**
 * Dawn's native warnings ("Couldn't load Vulkan …", with paths of Dawn's build machine) never
 * reach a command's output: WebGPU is probed only when asked or when `auto` reaches it, and
 * then in a child process whose output is captured. `webgpu` is an optional dependency: when it
 * is absent the probe says how to install it.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { probeDawnAt, WEBGPU_INSTALL_HINT } from '../src/backend/webgpu.js';

const DAWN_NOISE = /Couldn't load Vulkan|BackendVk\.cpp|\/home\/runner\/work/;

function cli(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.resolve('src/cli/index.ts'), ...args], (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), output: `${stdout}${stderr}` }),
    );
  });
}

test('a run whose backend is auto (it reaches the WebGPU probe) prints no Dawn noise', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-quiet-'));
  const suite = path.join(dir, 'tiny.json');
  await writeFile(suite, JSON.stringify({ name: 'tiny', steps: 2, seeds: 1, tasks: [{ task: 'quadratic' }], optimizers: [{ name: 'sgd', rule: 'sgd' }] }));
  const { code, output } = await cli(['run', suite, '--out', path.join(dir, 'out')]);
  t.is(code, 0, output);
  t.regex(output, /backend: /);
  t.notRegex(output, DAWN_NOISE);
});

test('without the webgpu package the probe names the install; a Dawn that fails to start is one line', async (t) => {
  t.deepEqual(await probeDawnAt(undefined), { available: false, reason: WEBGPU_INSTALL_HINT });
  const broken = await probeDawnAt(path.join(os.tmpdir(), 'no-such-dawn', 'index.js'));
  t.false(broken.available);
  const reason = (broken as { reason: string }).reason;
  t.regex(reason, /^the 'webgpu' package \(Dawn\) could not start: /);
  t.false(reason.includes('\n'), reason);
});
