/**
 * WebGPU in Node: the `webgpu` package (Dawn) provides `navigator.gpu`, and the
 * tfjs webgpu backend runs on it. Reads from this backend must be async
 * (`await t.data()`): the synchronous path throws in Node.
 */
import * as tf from '@tensorflow/tfjs';

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
  cachedProbe ??= probeOnce();
  return cachedProbe;
}

async function probeOnce(): Promise<WebgpuProbe> {
  let gpu: GPU;
  try {
    const dawn = (await import('webgpu')) as { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
    // tfjs-backend-webgpu refers to WebGPU's globals (GPUBufferUsage, …) by name.
    Object.assign(globalThis, dawn.globals);
    gpu = dawn.create([]);
  } catch (error) {
    return { available: false, reason: `the 'webgpu' package (Dawn) could not start: ${String(error)}` };
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) {
    return {
      available: false,
      reason: 'no WebGPU adapter: Dawn found no Vulkan GPU (is libvulkan1 installed and a GPU driver present?)',
    };
  }
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
