/**
 * Area-averaging downscale of a grey image (each output pixel is the mean of the
 * input area it covers, with fractional overlaps weighted): 105×105 Omniglot
 * drawings to 28×28 without aliasing their thin strokes away.
 */
export function resizeArea(pixels: Float32Array, width: number, height: number, outWidth: number, outHeight: number): Float32Array {
  const out = new Float32Array(outWidth * outHeight);
  const sx = width / outWidth;
  const sy = height / outHeight;
  for (let oy = 0; oy < outHeight; oy++) {
    const y0 = oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < outWidth; ox++) {
      const x0 = ox * sx;
      const x1 = x0 + sx;
      let sum = 0;
      for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          sum += wx * wy * pixels[y * width + x]!;
        }
      }
      out[oy * outWidth + ox] = sum / (sx * sy);
    }
  }
  return out;
}
