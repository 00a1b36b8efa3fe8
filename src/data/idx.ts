/**
 * The IDX format of MNIST and Fashion-MNIST (gzipped or not): a magic number
 * whose third byte is the element type (0x08 = unsigned byte) and whose fourth is
 * the number of dimensions, then one big-endian uint32 per dimension, then data.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

export class DataFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataFormatError';
  }
}

export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  const buffer = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  if (buffer.length < 4 || buffer[0] !== 0 || buffer[1] !== 0) throw new DataFormatError(`${source}: not an IDX file (bad magic number)`);
  if (buffer[2] !== 0x08) throw new DataFormatError(`${source}: element type 0x${buffer[2]!.toString(16)} is not unsigned byte (0x08)`);
  const rank = buffer[3]!;
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer.length < 4 + 4 * rank) throw new DataFormatError(`${source}: truncated header`);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = shape.reduce((a, b) => a * b, 1);
  const offset = 4 + 4 * rank;
  if (buffer.length - offset !== size) {
    throw new DataFormatError(`${source}: header says ${shape.join('×')} = ${size} bytes of data, file has ${buffer.length - offset}`);
  }
  return { shape, data: new Uint8Array(buffer.buffer, buffer.byteOffset + offset, size) };
}

export async function readIdx(file: string): Promise<IdxArray> {
  return parseIdx(new Uint8Array(await readFile(file)), file);
}
