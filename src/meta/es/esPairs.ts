/**
 * ES perturbation pairs on the worker pool (src/pool/workerPool.ts): each pair of an
 * iteration is one unit carrying everything its two meta-losses depend on — the
 * iteration and pair index (which seed its noise), the task seeds, the truncation's
 * start (θ, the rule's state, the step) and φ, tensors as exact float32 bytes — so
 * any worker computes the same numbers, and es.ts combines them in index order: the
 * meta-parameters after training are bit-identical whatever the worker count.
 * A pair whose worker dies is retried once elsewhere; a pair that fails twice stops
 * meta-training with its key.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendRequest } from '../../backend/names.js';
import type { JsonValue, LearnedOptimizer } from '../../learned/types.js';
import { WorkerPool, type PoolEvent } from '../../pool/workerPool.js';
import type { StateTree } from '../../rules/index.js';
import { taskSpecOf, type TaskContext, type TaskSpec } from '../../tasks/registry.js';
import type { Task } from '../../tasks/types.js';
import type { MetaTrainConfig } from '../config.js';
import type { EstimateArgs } from '../estimator.js';
import type { PairEvaluator, PairLosses } from './es.js';
import { provideEsPairPool } from './index.js';

/** A tensor as JSON: dtype, shape and its values' bytes in base64 (exact, NaN and ±∞ included). */
export interface EncodedTensor {
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  data: string;
}
export type EncodedTree = { tensor: EncodedTensor } | { list: EncodedTree[] } | { record: Record<string, EncodedTree> };

export async function encodeTensor(t: tf.Tensor): Promise<EncodedTensor> {
  // An async read: WebGPU cannot read synchronously.
  const values = (await t.data()) as Float32Array | Int32Array | Uint8Array;
  const dtype = t.dtype as EncodedTensor['dtype'];
  return { dtype, shape: t.shape, data: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64') };
}

export function decodeTensor(e: EncodedTensor): tf.Tensor {
  const bytes = Buffer.from(e.data, 'base64');
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const values = e.dtype === 'float32' ? new Float32Array(copy) : e.dtype === 'int32' ? new Int32Array(copy) : new Uint8Array(copy);
  return tf.tensor(values, e.shape, e.dtype);
}

const isTensor = (node: StateTree): node is tf.Tensor => node instanceof tf.Tensor;

export async function encodeTree(tree: StateTree): Promise<EncodedTree> {
  if (isTensor(tree)) return { tensor: await encodeTensor(tree) };
  if (Array.isArray(tree)) return { list: await Promise.all((tree as StateTree[]).map(encodeTree)) };
  const entries = await Promise.all(Object.entries(tree as Record<string, StateTree>).map(async ([k, v]) => [k, await encodeTree(v)] as const));
  return { record: Object.fromEntries(entries) };
}

export function decodeTree(e: EncodedTree): StateTree {
  if ('tensor' in e) return decodeTensor(e.tensor);
  if ('list' in e) return e.list.map(decodeTree);
  return Object.fromEntries(Object.entries(e.record).map(([k, v]) => [k, decodeTree(v)]));
}

/** What every worker opens with: the backend, an untrained optimizer of the same kind, the task, the config. */
export interface EsPairContext {
  backend: BackendRequest;
  kind: string;
  hyperParams: Record<string, JsonValue>;
  task: { spec: TaskSpec; context: TaskContext };
  config: MetaTrainConfig;
}

export interface EsPairUnit {
  key: string;
  iteration: number;
  pair: number;
  seeds: number[];
  step: number;
  theta: EncodedTensor;
  state: EncodedTree;
  /** φ, by meta-parameter name, in the optimizer's order. */
  metaParams: Array<{ name: string; value: EncodedTensor }>;
}

/** JSON has no NaN or ±∞ (they arrive as null): a missing loss is a blown-up one. */
export const lossOf = (value: number | null): number => (value === null ? Number.NaN : value);

/** A pool of `config.workers` processes evaluating this optimizer's ES pairs on `task`; close it when done. */
export function openEsPairPool(optimizer: LearnedOptimizer, task: Task, config: MetaTrainConfig, onEvent?: (event: PoolEvent) => void): EsPairPool {
  const context = perturbationContext(optimizer, task, config, `metaTrain.workers: ${config.workers}`);
  const pool = new WorkerPool<EsPairUnit, { plus: number | null; minus: number | null }>({
    workers: config.workers,
    handler: 'esPair',
    context,
    // This process evaluates pairs too, with its own copy of the optimizer and task (its φ is not the one being trained),
    // between the unperturbed unroll and the update: two processes on two cores, not three.
    local: async () => (await import('./esPairHandler.js')).openEsPairHandler(context),
    ...(onEvent === undefined ? {} : { onEvent }),
  });
  // The children load tfjs and the task while this process validates the starting φ.
  pool.start();
  return new EsPairPool([...optimizer.metaParams.keys()], pool);
}

/** An iteration's pairs as units (the pool's, or a queue's jobs): φ named by `names`, the truncation's start, the pair index. */
export async function esPairUnits(names: readonly string[], { seeds, from, variables, config, iteration }: EstimateArgs): Promise<EsPairUnit[]> {
  const shared = {
    iteration,
    seeds: [...seeds],
    step: from.step,
    theta: await encodeTensor(from.theta),
    state: await encodeTree(from.state),
    metaParams: await Promise.all(variables.map(async (v, i) => ({ name: names[i]!, value: await encodeTensor(v) }))),
  };
  return Array.from({ length: config.pairs }, (_, pair) => ({ key: `ES iteration ${iteration} pair ${pair}`, pair, ...shared }));
}

/** What every worker needs to evaluate this optimizer's perturbations on `task` (refused for a task a worker cannot rebuild). */
export function perturbationContext(optimizer: LearnedOptimizer, task: Task, config: MetaTrainConfig, where: string): EsPairContext {
  const made = taskSpecOf(task);
  if (made === undefined) {
    throw new Error(`${where}: workers rebuild the task from its spec, but task '${task.id}' was not made by taskFromSpec (a suite's task entry); make it with taskFromSpec or run in this process (workers 1)`);
  }
  return { backend: tf.getBackend() as BackendRequest, kind: optimizer.kind, hyperParams: optimizer.hyperParams, task: made, config };
}

export class EsPairPool {
  constructor(
    private readonly names: string[],
    private readonly pool: WorkerPool<EsPairUnit, { plus: number | null; minus: number | null }>,
  ) {}

  /** The pair evaluator for es.ts: one unit per pair, results put back in index order. */
  readonly evaluate: PairEvaluator = async (args) => {
    const units = await esPairUnits(this.names, args);
    const losses: PairLosses[] = new Array<PairLosses>(units.length);
    const failures = await this.pool.run(units, async (unit, result) => {
      losses[unit.pair] = { plus: lossOf(result.plus), minus: lossOf(result.minus) };
    });
    if (failures.length > 0) throw new Error(`ES pairs failed on every try: ${failures.map((f) => `${f.key}: ${f.reasons.join(' / then: ')}`).join('; ')}`);
    return losses;
  };

  close(): void {
    this.pool.close();
  }
}

provideEsPairPool(openEsPairPool);
