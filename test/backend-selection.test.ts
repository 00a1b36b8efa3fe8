import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {
  BackendUnavailableError,
  isSoftwareAdapter,
  loadTensorflow,
  probeWebgpu,
  setupBackend,
  type ModuleLoader,
} from '../src/backend/index.js';

const notFound = (specifier: string) =>
  Object.assign(new Error(`Cannot find package '${specifier}' imported from alphaopt`), { code: 'ERR_MODULE_NOT_FOUND' });

const absent: ModuleLoader = async (specifier) => {
  throw notFound(specifier);
};

/** Plays "@tensorflow/tfjs-node is installed": importing it registers a `tensorflow` backend. */
function installedCpuBuild(imported: string[]): ModuleLoader {
  return async (specifier) => {
    imported.push(specifier);
    if (specifier !== '@tensorflow/tfjs-node') throw notFound(specifier);
    if (tf.findBackendFactory('tensorflow') === null) {
      await tf.setBackend('cpu');
      const CpuBackend = tf.backend().constructor as new () => tf.KernelBackend;
      // Reuse cpu kernels under the name tfjs-node registers.
      for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: 'tensorflow' });
      tf.registerBackend('tensorflow', () => new CpuBackend());
    }
    return {};
  };
}

test.serial('tensorflow absent: the detection names both packages and how to install them', async (t) => {
  const detection = await loadTensorflow(absent);
  t.false(detection.available);
  if (detection.available) return;
  t.regex(detection.reason, /@tensorflow\/tfjs-node-gpu is not installed/);
  t.regex(detection.reason, /@tensorflow\/tfjs-node is not installed/);
  t.regex(detection.reason, /npm install @tensorflow\/tfjs-node/);
});

test.serial('tensorflow absent on this machine for real: setupBackend("tensorflow") explains the fix', async (t) => {
  const detection = await loadTensorflow();
  if (detection.available) {
    t.pass('tfjs-node is installed here; the absent path is covered by the injected loader');
    return;
  }
  const error = await t.throwsAsync(setupBackend('tensorflow'), { instanceOf: BackendUnavailableError });
  t.regex(error!.message, /backend 'tensorflow' is not available/);
  t.regex(error!.message, /npm install @tensorflow\/tfjs-node/);
});

test.serial('a tfjs-node that is installed but broken is reported as such', async (t) => {
  const broken: ModuleLoader = async (specifier) => {
    if (specifier === '@tensorflow/tfjs-node') throw new Error('libtensorflow.so: cannot open shared object file');
    throw notFound(specifier);
  };
  const detection = await loadTensorflow(broken);
  t.false(detection.available);
  if (!detection.available) t.regex(detection.reason, /@tensorflow\/tfjs-node is installed but failed to load \(libtensorflow\.so/);
});

test.serial('auto without tfjs-node skips it (with the reason) and lands on webgpu or wasm', async (t) => {
  const choice = await setupBackend('auto', { loadModule: absent });
  const webgpu = await probeWebgpu();
  t.is(choice.backend, webgpu.available ? 'webgpu' : 'wasm');
  t.is(tf.getBackend(), choice.tfjsName);
  t.regex(choice.reason, /skipped tensorflow \(@tensorflow\/tfjs-node-gpu is not installed/);
  if (!webgpu.available) t.regex(choice.reason, /webgpu \(/);
});

test.serial('explicit requests start exactly that backend', async (t) => {
  for (const backend of ['cpu', 'wasm'] as const) {
    const choice = await setupBackend(backend);
    t.is(choice.backend, backend);
    t.is(tf.getBackend(), backend);
    t.is(choice.requested, backend);
  }
});

test.serial('explicit webgpu without a hardware adapter fails with the reason', async (t) => {
  const webgpu = await probeWebgpu();
  if (webgpu.available) {
    t.pass(`a GPU is present (${webgpu.adapter})`);
    return;
  }
  const error = await t.throwsAsync(setupBackend('webgpu'), { instanceOf: BackendUnavailableError });
  t.regex(error!.message, /backend 'webgpu' is not available: .*adapter/);
});

test.serial('tfjs-node installed: the GPU build is tried first, then the CPU build is used (by auto too)', async (t) => {
  const imported: string[] = [];
  const explicit = await setupBackend('tensorflow', { loadModule: installedCpuBuild(imported) });
  t.deepEqual(imported, ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  t.is(explicit.backend, 'tensorflow');
  t.is(explicit.detail, '@tensorflow/tfjs-node');
  t.is(tf.getBackend(), 'tensorflow');
  const auto = await setupBackend('auto', { loadModule: installedCpuBuild([]) });
  t.is(auto.backend, 'tensorflow');
  const sum = tf.tensor1d([1, 2, 3]).sum();
  t.is((await sum.data())[0], 6);
  sum.dispose();
  await tf.setBackend('cpu');
  tf.removeBackend('tensorflow');
});

test('software WebGPU adapters are not mistaken for GPUs', (t) => {
  t.true(isSoftwareAdapter({ vendor: 'mesa', architecture: '', device: 'llvmpipe (LLVM 15.0.6, 256 bits)', description: '' }));
  t.true(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device' }));
  t.true(isSoftwareAdapter({ vendor: 'x', architecture: '', device: '', description: '', isFallbackAdapter: true }));
  t.false(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H100 80GB HBM3', description: '' }));
});
