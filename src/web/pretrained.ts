/**
 * Checkpoints over HTTP: `loadPretrained('lstm-quadratic')` (a checkpoint shipped
 * with the site, under `baseUrl`) or `loadPretrained('https://…/my-checkpoint/')`
 * (any folder holding manifest.json and weights.bin). The same manifest codec and
 * weight checks as checkpoints on disk, plus the SHA-256 of the weights when the
 * manifest carries one.
 */
import { CheckpointError, decodeManifest, instantiateCheckpoint } from '../learned/manifest.js';
import type { LearnedOptimizer } from '../learned/types.js';

export interface LoadPretrainedOptions {
  /** Where shipped checkpoints are served, by name (default 'pretrained/', relative to the page). */
  baseUrl?: string;
  /** Refuse a checkpoint of another kind. */
  expectedKind?: string;
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/i;

function pageUrl(): string | undefined {
  const g = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  return g.document?.baseURI ?? g.location?.href;
}

function absolute(url: string): string {
  try {
    return new URL(url, pageUrl()).href;
  } catch {
    throw new CheckpointError(`'${url}' is not a URL (and there is no page to resolve it against); give an absolute http(s) URL`);
  }
}

/** The checkpoint's folder URL, ending in '/'. */
export function checkpointUrl(nameOrUrl: string, baseUrl = 'pretrained/'): string {
  if (NAME.test(nameOrUrl)) return absolute(`${baseUrl.replace(/\/?$/, '/')}${nameOrUrl}/`);
  const folder = nameOrUrl.replace(/manifest\.json$/, '');
  return absolute(folder.endsWith('/') ? folder : `${folder}/`);
}

async function fetchOk(url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new CheckpointError(`cannot fetch ${url}: ${(error as Error).message} (is the server up, and does it allow this page's origin?)`);
  }
  if (!response.ok) {
    throw new CheckpointError(`cannot fetch ${url}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}; a checkpoint URL is a folder holding manifest.json and weights.bin`);
  }
  return response;
}

export async function loadPretrained(nameOrUrl: string, options: LoadPretrainedOptions = {}): Promise<LearnedOptimizer> {
  const folder = checkpointUrl(nameOrUrl, options.baseUrl);
  const manifestUrl = `${folder}manifest.json`;
  const text = await (await fetchOk(manifestUrl)).text();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`${manifestUrl} is not JSON (${(error as Error).message}); is this the URL of a checkpoint folder?`);
  }
  const manifest = decodeManifest(raw, manifestUrl);
  const weightsUrl = `${folder}weights.bin`;
  // instantiateCheckpoint checks the bytes (SHA-256, size, finite values) as for a folder on disk.
  const readWeights = async () => new Uint8Array(await (await fetchOk(weightsUrl)).arrayBuffer());
  return instantiateCheckpoint(manifest, readWeights, folder.replace(/\/$/, ''), options.expectedKind);
}

/** The names of the checkpoints served under `baseUrl` (its index.json, which `npm run build:web` writes). */
export async function pretrainedNames(baseUrl = 'pretrained/'): Promise<string[]> {
  const url = absolute(`${baseUrl.replace(/\/?$/, '/')}index.json`);
  const list: unknown = await (await fetchOk(url)).json();
  if (!Array.isArray(list) || !list.every((n) => typeof n === 'string')) throw new CheckpointError(`${url}: expected a JSON array of checkpoint names`);
  return list as string[];
}
