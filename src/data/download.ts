/**
 * Downloads with checksum verification. A file is streamed to a temporary name
 * while its MD5 is computed, and renamed into place only when the checksum
 * matches: a corrupted or truncated download is deleted, never cached.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import cliProgress from 'cli-progress';
import * as tar from 'tar';
import type { DatasetEntry, RemoteFile } from './catalog.js';
import { MissingDataError, cacheDirectory, inspect } from './locate.js';

export class ChecksumError extends Error {
  constructor(url: string, expected: string, actual: string) {
    super(`${url}: MD5 ${actual} does not match the published ${expected}; the download was deleted (a corrupted or changed file)`);
    this.name = 'ChecksumError';
  }
}

export interface DownloadOptions {
  /** Show a progress bar on stderr (default: when stderr is a terminal). */
  progress?: boolean;
}

/** Downloads `url` to `dest` if its MD5 is `md5`; otherwise deletes what it wrote and throws. */
export async function downloadVerified(url: string, dest: string, md5: string, options: DownloadOptions = {}): Promise<void> {
  await mkdir(path.dirname(dest), { recursive: true });
  const response = await fetch(url);
  if (!response.ok || response.body === null) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
  const total = Number(response.headers.get('content-length') ?? 0);
  const showBar = options.progress ?? process.stderr.isTTY === true;
  const bar = showBar ? new cliProgress.SingleBar({ format: `${path.basename(dest)} [{bar}] {percentage}% {value}/{total} bytes`, stream: process.stderr }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(total, 0);
  const hash = createHash('md5');
  let received = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      received += chunk.length;
      bar?.update(received);
      done(null, chunk);
    },
  });
  const temp = `${dest}.part-${process.pid}`;
  try {
    await pipeline(Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>), meter, createWriteStream(temp));
    const actual = hash.digest('hex');
    if (actual !== md5.toLowerCase()) throw new ChecksumError(url, md5, actual);
    await rename(temp, dest);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    bar?.stop();
  }
}

/** Tries each URL of a remote file in turn; the error lists every attempt. */
async function downloadAny(remote: RemoteFile, dir: string, urls: string[], options: DownloadOptions): Promise<void> {
  const failures: string[] = [];
  for (const url of urls) {
    try {
      await downloadVerified(url, path.join(dir, remote.file), remote.md5, options);
      return;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      failures.push(`${url}: ${(error as Error).message}${cause === undefined ? '' : ` (${cause})`}`);
    }
  }
  throw new Error(failures.join('; '));
}

export interface FetchOptions extends DownloadOptions {
  /** Where to put the dataset folder (default: the user cache directory). */
  dataDir?: string;
  /** Replaces each URL's directory with this base (a mirror; tests use a local server). */
  mirror?: string;
}

/**
 * Makes a complete copy of a dataset in `<dataDir>/<name>/`: downloads the missing
 * files (checksums verified) and unpacks archives. Returns the folder. When it cannot
 * (offline, checksum mismatch), the error says which files are missing and where to put them.
 */
export async function fetchDataset(entry: DatasetEntry, options: FetchOptions = {}): Promise<string> {
  const dir = path.join(options.dataDir ?? cacheDirectory(), entry.name);
  if (inspect(entry, dir).missing.length === 0) return dir;
  if (entry.remote === undefined) throw new MissingDataError(entry, [dir], inspect(entry, dir).missing, ' It cannot be downloaded.');
  try {
    for (const remote of entry.remote) {
      if (inspect({ ...entry, requires: [[remote.file]] }, dir).missing.length === 0) continue;
      const urls = options.mirror === undefined ? remote.urls : [`${options.mirror.replace(/\/$/, '')}/${remote.file}`];
      await downloadAny(remote, dir, urls, options);
    }
    if (entry.unpack === 'cifar10-tar') {
      // Extract only the binary batches, never arbitrary paths.
      await tar.x({ file: path.join(dir, entry.remote[0]!.file), cwd: dir, filter: (p) => /^cifar-10-batches-bin\/[\w.]+\.bin$/.test(p) });
    }
  } catch (error) {
    const { missing } = inspect(entry, dir);
    throw new MissingDataError(entry, [dir], missing, ` Download failed: ${(error as Error).message}`);
  }
  const { missing } = inspect(entry, dir);
  if (missing.length > 0) throw new MissingDataError(entry, [dir], missing, ' The download did not contain them.');
  return dir;
}
