/**
 * Integrity checks of saved weights: a content hash, and the first value that is not finite.
 * The hash uses WebCrypto, so disk checkpoints (Node ≥ 20) and checkpoints fetched in a
 * browser are checked by the same function.
 */

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) throw new Error('cannot compute a SHA-256: WebCrypto (crypto.subtle) exists only on https:// or localhost pages');
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The first NaN or ±Infinity in `values`, with its index; undefined when all are finite. */
export function firstNonFinite(values: ArrayLike<number>): { index: number; value: number } | undefined {
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) return { index: i, value };
  }
  return undefined;
}
