/** Integrity checks of saved weights: a content hash, and the first value that is not finite. */
import { createHash } from 'node:crypto';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The first NaN or ±Infinity in `values`, with its index; undefined when all are finite. */
export function firstNonFinite(values: ArrayLike<number>): { index: number; value: number } | undefined {
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) return { index: i, value };
  }
  return undefined;
}
