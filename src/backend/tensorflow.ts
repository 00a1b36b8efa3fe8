/**
 * Optional native backend: @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node.
 * They are optional peer dependencies (their install script downloads
 * libtensorflow, which offline machines cannot do), so they are looked up at run
 * time and never required.
 */
export const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
export type TensorflowPackage = (typeof TENSORFLOW_PACKAGES)[number];

/** Loads a package by name; injectable so tests can play "installed" and "absent". */
export type ModuleLoader = (specifier: string) => Promise<unknown>;
export const importModule: ModuleLoader = (specifier) => import(specifier);

export type TensorflowDetection =
  | { available: true; package: TensorflowPackage }
  | { available: false; reason: string };

export const TENSORFLOW_INSTALL_HINT =
  'install it with `npm install @tensorflow/tfjs-node` (CPU) or `npm install @tensorflow/tfjs-node-gpu` ' +
  '(NVIDIA GPU; needs CUDA 11.2 and cuDNN 8.1); both download libtensorflow while installing, so the machine must be online';

function isModuleNotFound(error: unknown, specifier: string): boolean {
  const code = (error as { code?: string } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(specifier);
}

/**
 * Imports the GPU build first, then the CPU build. Importing registers the
 * `tensorflow` backend with tfjs as a side effect.
 */
export async function loadTensorflow(load: ModuleLoader = importModule): Promise<TensorflowDetection> {
  const failures: string[] = [];
  for (const name of TENSORFLOW_PACKAGES) {
    try {
      await load(name);
      return { available: true, package: name };
    } catch (error) {
      failures.push(
        isModuleNotFound(error, name)
          ? `${name} is not installed`
          : `${name} is installed but failed to load (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
  return { available: false, reason: `${failures.join('; ')}; ${TENSORFLOW_INSTALL_HINT}` };
}
