/** The committed SIMD kernels' bytes are the compiled kernels.wat (rebuild: npx tsx scripts/build-simd-kernels.ts). */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { compileSimdKernels, SIMD_KERNELS_WAT } from '../scripts/simdKernels.js';
import { SIMD_KERNELS_BASE64 } from '../src/backend/wasm/simd/kernels.wasm.js';

test('kernels.wasm.ts holds the compiled kernels.wat', async (t) => {
  t.is(SIMD_KERNELS_BASE64, await compileSimdKernels(await readFile(SIMD_KERNELS_WAT, 'utf8')));
});
