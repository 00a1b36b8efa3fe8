/**
 * Writes the small digit set the site's "train in your tab" page learns from:
 * the first N digits of an MNIST-format dataset, area-downsampled to 14×14 and
 * quantised to bytes. Format (web/data/digits-14x14.bin): N label bytes, then
 * N × 196 pixel bytes (0–255), row-major.
 *
 *   npx tsx scripts/make-web-digits.ts --data-dir /path/to/datasets [--dataset mnist-10k] [--count 2500]
 */
import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { loadMnistLike } from '../src/data/mnist.js';
import { resizeArea } from '../src/data/resize.js';

const options = new Command()
  .requiredOption('--data-dir <dir>', 'folder holding the dataset (e.g. ../shared/datasets)')
  .option('--dataset <name>', 'an MNIST-format dataset', 'mnist-10k')
  .option('--count <n>', 'digits to keep', '2500')
  .option('--out <file>', 'output file', 'web/data/digits-14x14.bin')
  .parse()
  .opts<{ dataDir: string; dataset: string; count: string; out: string }>();

const data = await loadMnistLike(options.dataset, options.dataDir);
const count = Math.min(Number(options.count), data.trainLabels.length);
const side = Math.round(Math.sqrt(data.imageSize)); // imageSize counts pixels (784)
const bytes = new Uint8Array(count * (1 + 196));
for (let i = 0; i < count; i++) {
  bytes[i] = data.trainLabels[i]!;
  const small = resizeArea(data.trainImages.subarray(i * side * side, (i + 1) * side * side), side, side, 14, 14);
  for (let p = 0; p < 196; p++) bytes[count + i * 196 + p] = Math.round(255 * Math.min(1, Math.max(0, small[p]!)));
}
await writeFile(options.out, bytes);
process.stdout.write(`${options.out}: ${count} digits of ${options.dataset} at 14×14 (${bytes.byteLength} bytes)\n`);
