/**
 * ES pairs as units of work that cross a process or machine boundary as JSON (the
 * local pool's, esPairs.ts, and the queue's, src/queue/perturbations.ts): tensors as
 * exact bytes, the context every worker opens with, an iteration's pairs as units.
 */
import tf from '#tfjs';
import type { BackendRequest } from '../../backend/names.js';
import type { JsonValue, LearnedOptimizer } from '../../learned/types.js';
import type { StateTree } from '../../rules/index.js';
import { taskSpecOf, type TaskContext, type TaskSpec } from '../../tasks/registry.js';
import type { Task } from '../../tasks/types.js';
import type { MetaTrainConfig } from '../config.js';
import type { EstimateArgs } from '../estimator.js';
import type { PairSide } from './es.js';

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

/**
 * One side of a pair (the local pool's unit: half a pair, so the processes finish an iteration closer together; the
 * queue's jobs stay whole pairs). Its result is that side's meta-loss.
 */
export interface EsSideUnit extends EsPairUnit {
  side: PairSide;
}

export const PAIR_SIDES: readonly PairSide[] = ['plus', 'minus'];

/** Each unit split into its two sides, keys suffixed with the side. */
export const bySide = <U extends { key: string }>(units: readonly U[]): Array<U & { side: PairSide }> => units.flatMap((u) => PAIR_SIDES.map((side) => ({ ...u, key: `${u.key} ${side}`, side })));

/** JSON has no NaN or ±∞ (they arrive as null): a missing loss is a blown-up one. */
export const lossOf = (value: number | null): number => (value === null ? Number.NaN : value);

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

