/**
 * Turning cached images into a training batch: per-pixel affine normalisation
 * (value = stored · scale + shift, one pair per pixel and channel, which covers
 * both "subtract the per-pixel training mean" and per-channel standardisation)
 * and the standard CIFAR augmentation — a random crop of the image padded by
 * `crop` pixels on each side (the padding is black, as torchvision pads before
 * normalising) and a horizontal flip with probability ½. Works on byte caches
 * (CIFAR-10) and on float pools (MNIST-format data) alike.
 *
 * The crops and flips come from the `random` the caller passes: draw it from
 * (seed, step) and a batch is the same on every run of that seed.
 */

export interface ImageSource {
  /** [n, h, w, c], row-major. */
  pixels: Uint8Array | Float32Array;
  labels: Uint8Array;
  shape: [number, number, number];
}

export interface Normalizer {
  /** Per pixel-channel (h·w·c): value = stored · scale + shift. */
  scale: Float32Array;
  shift: Float32Array;
}

export interface Augmentation {
  /** Pad this many pixels each side, then crop back to the original size at a random offset (0: no crop). */
  crop: number;
  flip: boolean;
}

export const NORMALIZATIONS = ['pixel-mean', 'per-channel', 'none'] as const;
export type Normalization = (typeof NORMALIZATIONS)[number];

const size = (shape: [number, number, number]) => shape[0] * shape[1] * shape[2];

/** Values as stored times `unit` (1/255 for bytes), nothing subtracted. */
export function identityNormalizer(shape: [number, number, number], unit: number): Normalizer {
  return { scale: new Float32Array(size(shape)).fill(unit), shift: new Float32Array(size(shape)) };
}

/** Subtract the mean image of `source` (Xu et al.'s CIFAR input), values scaled by `unit` first. */
export function pixelMeanNormalizer(source: ImageSource, unit: number): Normalizer {
  const d = size(source.shape);
  const n = source.labels.length;
  const sum = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let p = 0; p < d; p++) sum[p]! += source.pixels[i * d + p]!;
  return { scale: new Float32Array(d).fill(unit), shift: Float32Array.from(sum, (s) => (-s / n) * unit) };
}

/** Standardise each channel by the mean and standard deviation of `source` over images and positions. */
export function channelNormalizer(source: ImageSource, unit: number): Normalizer {
  const d = size(source.shape);
  const c = source.shape[2];
  const [sum, squares] = [new Float64Array(c), new Float64Array(c)];
  const total = source.pixels.length;
  for (let i = 0; i < total; i++) {
    const v = source.pixels[i]! * unit;
    sum[i % c]! += v;
    squares[i % c]! += v * v;
  }
  const count = total / c;
  const mean = Array.from(sum, (s) => s / count);
  const std = Array.from(squares, (q, k) => Math.sqrt(Math.max(q / count - mean[k]! ** 2, 1e-12)));
  const scale = new Float32Array(d);
  const shift = new Float32Array(d);
  for (let p = 0; p < d; p++) {
    scale[p] = unit / std[p % c]!;
    shift[p] = -mean[p % c]! / std[p % c]!;
  }
  return { scale, shift };
}

export function makeNormalizer(kind: Normalization, source: ImageSource, unit: number): Normalizer {
  if (kind === 'pixel-mean') return pixelMeanNormalizer(source, unit);
  if (kind === 'per-channel') return channelNormalizer(source, unit);
  return identityNormalizer(source.shape, unit);
}

/**
 * Writes images `indices` of `source`, normalised (and augmented when `augment`
 * is given, drawing from `random`), into `images` from example `at` on, and
 * their labels as one-hot rows into `oneHot` when given.
 */
export function assembleBatch(
  source: ImageSource,
  indices: ArrayLike<number>,
  normalizer: Normalizer,
  out: { images: Float32Array; oneHot?: Float32Array; classes?: number; at: number },
  augment?: { options: Augmentation; random: () => number },
): void {
  const [h, w, c] = source.shape;
  const d = h * w * c;
  const { scale, shift } = normalizer;
  for (let j = 0; j < indices.length; j++) {
    const index = indices[j]!;
    const from = index * d;
    const to = (out.at + j) * d;
    if (out.oneHot !== undefined) out.oneHot[(out.at + j) * out.classes! + source.labels[index]!] = 1;
    if (augment === undefined || (augment.options.crop === 0 && !augment.options.flip)) {
      for (let p = 0; p < d; p++) out.images[to + p] = source.pixels[from + p]! * scale[p]! + shift[p]!;
      continue;
    }
    const pad = augment.options.crop;
    // Offsets of the crop window in the padded image, in [0, 2·pad]; shifted back by pad to source coordinates.
    const dy = Math.floor(augment.random() * (2 * pad + 1)) - pad;
    const dx = Math.floor(augment.random() * (2 * pad + 1)) - pad;
    const flip = augment.options.flip && augment.random() < 0.5;
    for (let y = 0; y < h; y++) {
      const sy = y + dy;
      for (let x = 0; x < w; x++) {
        const sx = (flip ? w - 1 - x : x) + dx;
        const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
        const target = (y * w + x) * c;
        const src = from + (sy * w + sx) * c;
        for (let k = 0; k < c; k++) out.images[to + target + k] = (inside ? source.pixels[src + k]! * scale[target + k]! : 0) + shift[target + k]!;
      }
    }
  }
}
