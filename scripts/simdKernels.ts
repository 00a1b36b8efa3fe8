/** Compiling AlphaOpt's SIMD kernels' text into wasm bytes (shared by the build script and its test). */
import wabtInit from 'wabt';

export const SIMD_KERNELS_WAT = 'src/backend/wasm/simd/kernels.wat';
export const SIMD_KERNELS_TS = 'src/backend/wasm/simd/kernels.wasm.ts';

export async function compileSimdKernels(wat: string): Promise<string> {
  const wabt = await wabtInit();
  const module = wabt.parseWat('kernels.wat', wat, { simd: true });
  try {
    module.validate();
    return Buffer.from(module.toBinary({}).buffer).toString('base64');
  } finally {
    module.destroy();
  }
}
