/**
 * `UnsortedSegmentSum` for wasm: the gradient of `gather` along axis 0 (embedding
 * lookups) needs it. Rows whose segment id is out of range are dropped, as in
 * TensorFlow.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from './callKernel.js';

export function unsortedSegmentSumWasm(args: {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  backend: BackendWasm;
  attrs: { numSegments: number };
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, segmentIds } = inputs;
  const idRank = segmentIds.shape.length;
  const innerShape = x.shape.slice(idRank);
  const inner = innerShape.reduce((a, b) => a * b, 1);
  const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([attrs.numSegments, ...innerShape], x.dtype);
  const result = backend.typedArrayFromHeap(out);
  const values = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  result.fill(0);
  for (let r = 0; r < rows; r++) {
    const segment = ids[r] as number;
    if (segment < 0 || segment >= attrs.numSegments) continue;
    const src = r * inner;
    const dst = segment * inner;
    for (let i = 0; i < inner; i++) result[dst + i] = (result[dst + i] as number) + (values[src + i] as number);
  }
  return out;
}
