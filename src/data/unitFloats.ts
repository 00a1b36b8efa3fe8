/**
 * Pixel bytes as floats in [0, 1] (b / 255, rounded to float32). A plain loop:
 * `Float32Array.from(bytes, (b) => b / 255)` gives the same numbers but calls the
 * mapping function through V8's slow generic path — 0.7–0.8 s of CPU for mnist-10k's
 * 7.8 M pixels against ~0.03 s here (bench/README.md, "pool start-up"), paid by every
 * process that loads the data, each pool worker included.
 */
export function unitFloats(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / 255;
  return out;
}
