/** Flattening and rebuilding state trees (for disposal and for optimizer weights). */
import type * as tf from '@tensorflow/tfjs';
import type { StateTree } from './types.js';

function isTensor(node: StateTree): node is tf.Tensor {
  return typeof (node as tf.Tensor).dataId === 'object' && Array.isArray((node as tf.Tensor).shape);
}

/** Leaves with their slash-separated paths, in a stable order. */
export function treeLeaves(tree: StateTree, prefix = ''): Array<{ path: string; tensor: tf.Tensor }> {
  if (isTensor(tree)) return [{ path: prefix, tensor: tree }];
  const entries: Array<[string, StateTree]> = Array.isArray(tree)
    ? (tree as readonly StateTree[]).map((child, i) => [String(i), child])
    : Object.keys(tree).sort().map((key) => [key, (tree as Record<string, StateTree>)[key] as StateTree]);
  return entries.flatMap(([key, child]) => treeLeaves(child, prefix === '' ? key : `${prefix}/${key}`));
}

export function treeTensors(tree: StateTree): tf.Tensor[] {
  return treeLeaves(tree).map((leaf) => leaf.tensor);
}

/** The same structure with every leaf replaced by `fn(leaf, path)`. */
export function treeMap<T extends StateTree>(tree: T, fn: (leaf: tf.Tensor, path: string) => tf.Tensor, prefix = ''): T {
  if (isTensor(tree)) return fn(tree, prefix) as T;
  const join = (key: string) => (prefix === '' ? key : `${prefix}/${key}`);
  if (Array.isArray(tree)) return (tree as readonly StateTree[]).map((child, i) => treeMap(child, fn, join(String(i)))) as unknown as T;
  const out: Record<string, StateTree> = {};
  for (const key of Object.keys(tree)) out[key] = treeMap((tree as Record<string, StateTree>)[key] as StateTree, fn, join(key));
  return out as T;
}
