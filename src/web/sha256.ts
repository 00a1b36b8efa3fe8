/**
 * The SHA-256 check of a checkpoint's weights file, with WebCrypto (browsers and
 * Node ≥ 20 alike). A manifest may carry the digest as `sha256` (hex of
 * weights.bin) or `sha256: { "weights.bin": hex }`; older manifests have none and
 * load unchecked.
 */
import { CheckpointError } from '../learned/manifest.js';

export function expectedSha256(manifestJson: unknown, file = 'weights.bin'): string | undefined {
  const field = (manifestJson as { sha256?: unknown } | null)?.sha256;
  if (typeof field === 'string') return field.toLowerCase();
  if (typeof field === 'object' && field !== null) {
    const digest = (field as Record<string, unknown>)[file];
    if (typeof digest === 'string') return digest.toLowerCase();
  }
  return undefined;
}

export async function verifySha256(bytes: Uint8Array, expected: string | undefined, url: string): Promise<void> {
  if (expected === undefined) return;
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    throw new CheckpointError(`cannot check ${url}'s SHA-256: WebCrypto (crypto.subtle) exists only on https:// or localhost pages`);
  }
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  const actual = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
  if (actual !== expected) {
    throw new CheckpointError(`${url}: SHA-256 is ${actual} but the manifest says ${expected}; the file is damaged or belongs to another checkpoint`);
  }
}
