/**
 * WebGPU in Node: the `webgpu` package (Dawn) provides `navigator.gpu`, and the
 * tfjs webgpu backend runs on it. Reads from this backend must be async
 * (`await t.data()`): the synchronous path throws in Node.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import tf from '#tfjs';

/** The part of a GPU adapter's description we need to tell hardware from software. */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}

const SOFTWARE_ADAPTERS = /llvmpipe|lavapipe|swiftshader|softpipe|software/i;

/** Software rasterisers expose a WebGPU adapter too, but are slower than wasm. */
export function isSoftwareAdapter(info: AdapterDescription): boolean {
  if (info.isFallbackAdapter === true) return true;
  return SOFTWARE_ADAPTERS.test([info.vendor, info.architecture, info.device, info.description].join(' '));
}

export function describeAdapter(info: AdapterDescription): string {
  return [info.vendor, info.architecture, info.device, info.description].filter((s) => s !== '').join(' / ') || 'unnamed adapter';
}

export type WebgpuProbe =
  | { available: true; adapter: string; gpu: GPU; gpuAdapter: GPUAdapter }
  | { available: false; reason: string };

let cachedProbe: Promise<WebgpuProbe> | undefined;

/** Finds a hardware GPU adapter through Dawn; memoised because Dawn start-up is slow. */
export function probeWebgpu(): Promise<WebgpuProbe> {
  cachedProbe ??= probeDawnAt(resolveDawn());
  return cachedProbe;
}

export const WEBGPU_INSTALL_HINT = "the optional 'webgpu' package (Dawn) is not installed: npm install webgpu";

/** Where the `webgpu` package is, or undefined when it is not installed (it is an optional dependency). */
function resolveDawn(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('webgpu');
  } catch {
    return undefined;
  }
}

/** What the scout learns: the adapter Dawn offers (null: none), or why Dawn did not answer. */
type Scouted = { ok: true; adapter: AdapterDescription | null } | { ok: false; reason: string };

const SCOUT = `
const dawn = await import(process.argv[1]);
Object.assign(globalThis, dawn.globals);
const adapter = await dawn.create([]).requestAdapter({ powerPreference: 'high-performance' });
const i = adapter?.info;
process.stdout.write(JSON.stringify(i ? { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter } : null));
process.exit(0);
`;

/**
 * Asks a child process which adapter Dawn offers. Dawn's native loader writes its warnings
 * ("Couldn't load Vulkan …") straight to the process's stderr, where JavaScript cannot catch
 * them; in a child they are captured and dropped, so a machine without a GPU stays quiet.
 * Dawn is loaded in this process only once the scout has found a hardware adapter.
 */
function scoutAdapter(dawnPath: string): Promise<Scouted> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', SCOUT, pathToFileURL(dawnPath).href],
      { timeout: 60_000, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        try {
          if (error === null) return resolve({ ok: true, adapter: JSON.parse(stdout) as AdapterDescription | null });
        } catch {
          // fall through: unreadable answer
        }
        const last = stderr.trim().split('\n').filter((line) => line.trim() !== '').pop() ?? String(error?.message ?? 'no answer');
        resolve({ ok: false, reason: `the 'webgpu' package (Dawn) could not start: ${last.trim().slice(0, 300)}` });
      },
    );
  });
}

/** The probe, given where the `webgpu` package is (undefined: not installed). Exported for tests. */
export async function probeDawnAt(dawnPath: string | undefined): Promise<WebgpuProbe> {
  if (dawnPath === undefined) return { available: false, reason: WEBGPU_INSTALL_HINT };
  const scouted = await scoutAdapter(dawnPath);
  if (!scouted.ok) return { available: false, reason: scouted.reason };
  if (scouted.adapter === null) {
    return { available: false, reason: 'no WebGPU adapter: Dawn found no Vulkan GPU (is libvulkan1 installed and a GPU driver present?)' };
  }
  if (isSoftwareAdapter(scouted.adapter)) {
    return { available: false, reason: `only a software adapter (${describeAdapter(scouted.adapter)}); wasm is faster` };
  }
  let gpu: GPU;
  try {
    const dawn = (await import(pathToFileURL(dawnPath).href)) as { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
    // tfjs-backend-webgpu refers to WebGPU's globals (GPUBufferUsage, …) by name.
    Object.assign(globalThis, dawn.globals);
    gpu = dawn.create([]);
  } catch (error) {
    return { available: false, reason: `the 'webgpu' package (Dawn) could not start: ${String(error)}` };
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) return { available: false, reason: 'no WebGPU adapter in this process, though a child process found one' };
  const info = adapter.info as unknown as AdapterDescription;
  if (isSoftwareAdapter(info)) {
    return { available: false, reason: `only a software adapter (${describeAdapter(info)}); wasm is faster` };
  }
  return { available: true, adapter: describeAdapter(info), gpu, gpuAdapter: adapter };
}

/** Registers tfjs's webgpu backend on the adapter we found. */
export async function registerWebgpuBackend(probe: Extract<WebgpuProbe, { available: true }>): Promise<void> {
  if (tf.findBackendFactory('webgpu') !== null) return;
  const globalScope = globalThis as { navigator?: { gpu?: GPU } };
  if (globalScope.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: probe.gpu }, configurable: true, writable: true });
  } else if (globalScope.navigator.gpu === undefined) {
    Object.defineProperty(globalScope.navigator, 'gpu', { value: probe.gpu, configurable: true });
  }
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  if (tf.findBackendFactory('webgpu') !== null) return; // the import registered it itself
  tf.registerBackend(
    'webgpu',
    async () => {
      const requiredFeatures: GPUFeatureName[] = probe.gpuAdapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
      const device = await probe.gpuAdapter.requestDevice({
        requiredFeatures,
        requiredLimits: {
          maxComputeWorkgroupStorageSize: probe.gpuAdapter.limits.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: probe.gpuAdapter.limits.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: probe.gpuAdapter.limits.maxStorageBufferBindingSize,
          maxBufferSize: probe.gpuAdapter.limits.maxBufferSize,
          maxComputeWorkgroupSizeX: probe.gpuAdapter.limits.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: probe.gpuAdapter.limits.maxComputeInvocationsPerWorkgroup,
        },
      });
      return new WebGPUBackend(device, probe.gpuAdapter.info as never);
    },
    3,
  );
}
