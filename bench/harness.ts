/**
 * What every bench script shares: its flags (commander: `--backend`, `--out`, plus the script's own; unknown
 * flags and bad values are refused with usage), the backend started once, provenance, and the result file
 * `<out>/<stem>-<backend>-<date>.json` written with both.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { BackendRequest, setupBackend, type BackendChoice } from '../src/backend/index.js';
import type { SetupOptions } from '../src/backend/setup.js';
import { collectProvenance, type Provenance } from '../src/provenance.js';

export interface BenchSetup<O> {
  /** The parsed flags (commander's camelCase names): `backend`, `out`, and the script's own. */
  options: O & { backend: BackendRequest; out: string };
  /** Positional arguments, for scripts that take them. */
  args: string[];
  choice: BackendChoice;
  provenance: Provenance;
  /** Writes `{suite, provenance, ...body, tfjsVersion}` to `<out>/<stem>-<backend>-<date>.json`; returns the file. */
  writeResult(stem: string, suite: string, body: Record<string, unknown>): Promise<string>;
}

export interface BenchSpec {
  /** The script's name and one line on what it measures (its --help). */
  name: string;
  description: string;
  /** The script's own flags and positional arguments. */
  flags?: (command: Command) => Command;
  /** Backends the script may run on (default: any); the first is the default. */
  backends?: readonly BackendRequest[];
  /** False for probes that only print (no `--out` flag then). Default true. */
  writesResults?: boolean;
  /** setupBackend's options from the parsed flags (e.g. `--wasm-threads`). */
  setup?: (options: Record<string, unknown>) => SetupOptions;
}

const ALL_BACKENDS: readonly BackendRequest[] = ['wasm', 'cpu', 'webgpu', 'tensorflow', 'auto'];

/** Parses `argv` (default: this process's), starts the backend and collects provenance. */
export async function startBench<O = Record<string, never>>(spec: BenchSpec, argv: readonly string[] = process.argv): Promise<BenchSetup<O>> {
  const backends = spec.backends ?? ALL_BACKENDS;
  const withBackend = new Command(spec.name)
    .description(spec.description)
    .addOption(new Option('--backend <name>', 'the tfjs backend').choices(backends).default(backends[0]))
    .allowExcessArguments(false);
  const base = spec.writesResults === false ? withBackend : withBackend.option('--out <dir>', 'the folder result files are written to', path.join('bench', 'results'));
  const command = spec.flags === undefined ? base : spec.flags(base);
  command.parse([...argv]);
  const options = command.opts() as O & { backend: BackendRequest; out: string };
  const choice = await setupBackend(options.backend, spec.setup?.(options as Record<string, unknown>) ?? {});
  console.log(`backend: ${choice.backend} (${choice.detail ?? choice.reason})`);
  const provenance = collectProvenance(choice.backend, choice.detail);
  return {
    options,
    args: command.args,
    choice,
    provenance,
    async writeResult(stem, suite, body) {
      await mkdir(options.out, { recursive: true });
      const file = path.join(options.out, `${stem}-${choice.backend}-${provenance.date.replace(/[:.]/g, '-')}.json`);
      await writeFile(file, `${JSON.stringify({ suite, provenance, ...body, tfjsVersion: tf.version.tfjs }, null, 2)}\n`);
      console.log(`wrote ${file}`);
      return file;
    },
  };
}

/** A comma-separated list flag: `--only cnn,mlp`. */
export const list = (value: string): string[] => value.split(',').filter((v) => v !== '');

/** A whole number flag of at least `least`, refused with the flag's name otherwise. */
export function atLeast(name: string, least: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < least) throw new InvalidArgumentError(`${name} takes ${least === 1 ? 'a positive whole number' : `a whole number ≥ ${least}`}, got '${value}'`);
    return n;
  };
}

/** A positive whole number flag, refused with the flag's name otherwise. */
export const positiveInt = (name: string) => atLeast(name, 1);
