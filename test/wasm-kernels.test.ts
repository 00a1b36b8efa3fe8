/**
 * alphaopt's wasm training kernels against tfjs's reference cpu kernels, over a
 * grid of shapes, strides, paddings and dilations. Gradients are taken with
 * tf.grads, so the kernels are exercised exactly as training uses them.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { computeOn, relativeError, seededValues } from './helpers/compare.js';
import { filterGradientByProduct } from '../src/backend/wasm/conv2dFilterByProduct.js';
import { inputGradientByProduct } from '../src/backend/wasm/conv2dInputByProduct.js';
import { convDirect } from '../src/backend/wasm/conv2dDirect.js';
import { convWinogradRows, filterGradientWinograd, winogradBytesPerImage } from '../src/backend/wasm/conv2dWinograd.js';
import { simdKernels } from '../src/backend/wasm/simd/module.js';
import { tanhFromSigmoidLoop } from '../src/backend/wasm/tanh.js';
import { ADD_PAIR_ROW_KERNEL, fusedPass } from '../src/backend/fusedKernels.js';
import { addPairAndBias } from '../src/learned/lstm/cell.js';

const TOLERANCE = 1e-4;
type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;

interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  dilations: number;
  pad: Pad;
}

const explicit = (t: number, b: number, l: number, r: number): Pad => [[0, 0], [t, b], [l, r], [0, 0]];

const convCases: ConvCase[] = [];
for (const pad of ['same', 'valid', explicit(1, 2, 0, 1), explicit(3, 3, 3, 3)] as Pad[]) {
  // tfjs defines conv2d gradients for dilation 1 only (its gradient functions assert it).
  for (const [strides, dilations] of [[1, 1], [2, 1], [3, 1]] as const) {
    convCases.push({ x: [2, 9, 8, 3], filter: [3, 2, 3, 4], strides, dilations, pad });
  }
}
convCases.push({ x: [5, 28, 28, 1], filter: [5, 5, 1, 8], strides: 1, dilations: 1, pad: 'same' });
convCases.push({ x: [3, 14, 14, 16], filter: [5, 5, 16, 12], strides: 1, dilations: 1, pad: 'same' });
convCases.push({ x: [1, 7, 7, 2], filter: [1, 1, 2, 3], strides: 2, dilations: 1, pad: 'valid' });
// The input gradient's phases (one convolution per output row/column phase for stride > 1): phases no tap
// reaches (kernel < stride), even and odd sizes, unequal strides, padding beyond the filter's reach.
convCases.push({ x: [2, 8, 8, 3], filter: [1, 1, 3, 4], strides: 2, dilations: 1, pad: 'same' });
convCases.push({ x: [2, 8, 7, 4], filter: [3, 3, 4, 5], strides: 2, dilations: 1, pad: 'same' });
convCases.push({ x: [2, 9, 9, 2], filter: [2, 2, 2, 3], strides: 3, dilations: 1, pad: 'same' });
convCases.push({ x: [1, 10, 11, 2], filter: [3, 5, 2, 3], strides: [2, 3], dilations: 1, pad: 'valid' });
convCases.push({ x: [2, 7, 6, 3], filter: [3, 3, 3, 2], strides: 2, dilations: 1, pad: explicit(4, 0, 0, 5) });
convCases.push({ x: [1, 5, 5, 2], filter: [2, 2, 2, 2], strides: 1, dilations: 1, pad: explicit(3, 2, 0, 4) });
// 1×1 filters' gradient as one matrix product over the pixels the forward pass read (padding reads zeros).
convCases.push({ x: [2, 6, 5, 3], filter: [1, 1, 3, 4], strides: 1, dilations: 1, pad: 'valid' });
convCases.push({ x: [2, 7, 7, 3], filter: [1, 1, 3, 2], strides: 2, dilations: 1, pad: explicit(1, 0, 2, 1) });

// The filter gradient as patches · dy (conv2dFilterByProduct.ts, output channels a multiple of 8): whole shifted
// image planes for stride 1 with output rows as wide as the input's (shifts past the row edge, filters wider than
// the image), runs of image rows otherwise (stride 2 four floats at a time), the 4×4 NHWC → NCHW transpose where
// pixels and channels are multiples of 4 and the one-float transpose where not, one channel (no transpose), patch
// rows past the last multiple of 4 (5·5·5 = 125 rows), several column blocks of the product.
convCases.push({ x: [2, 7, 9, 5], filter: [5, 5, 5, 8], strides: 1, dilations: 1, pad: 'same' });
convCases.push({ x: [2, 3, 3, 4], filter: [7, 7, 4, 16], strides: 1, dilations: 1, pad: 'same' });
convCases.push({ x: [2, 8, 8, 8], filter: [3, 3, 8, 24], strides: 1, dilations: 1, pad: 'same' });
convCases.push({ x: [2, 7, 7, 8], filter: [3, 3, 8, 8], strides: 1, dilations: 1, pad: explicit(2, 0, 0, 2) });
convCases.push({ x: [2, 9, 6, 1], filter: [3, 2, 1, 8], strides: 1, dilations: 1, pad: 'valid' });
convCases.push({ x: [2, 17, 19, 4], filter: [3, 3, 4, 8], strides: 2, dilations: 1, pad: 'same' });
convCases.push({ x: [2, 16, 16, 4], filter: [3, 3, 4, 16], strides: 2, dilations: 1, pad: explicit(0, 1, 0, 1) });
convCases.push({ x: [1, 11, 10, 3], filter: [3, 3, 3, 8], strides: [3, 2], dilations: 1, pad: explicit(3, 3, 3, 3) });
// 1×1 stride-2 projections (ResNet's shortcuts) take the same path.
convCases.push({ x: [2, 8, 8, 4], filter: [1, 1, 4, 16], strides: 2, dilations: 1, pad: 'same' });
convCases.push({ x: [2, 7, 7, 3], filter: [1, 1, 3, 8], strides: 2, dilations: 1, pad: explicit(1, 0, 2, 1) });
// The strided input gradient as dy · Wᵀ and a scatter (conv2dInputByProduct.ts, kh·kw·ci a multiple of 8): channels
// a multiple of 4 and not, taps on padding, a filter smaller than the stride, unequal strides, 1×1 projections.
convCases.push({ x: [2, 9, 9, 8], filter: [3, 3, 8, 4], strides: 2, dilations: 1, pad: 'same' });
convCases.push({ x: [2, 9, 7, 3], filter: [4, 2, 3, 5], strides: 2, dilations: 1, pad: 'same' });
convCases.push({ x: [1, 11, 10, 8], filter: [3, 3, 8, 3], strides: [3, 2], dilations: 1, pad: explicit(3, 3, 3, 3) });
convCases.push({ x: [2, 8, 8, 8], filter: [2, 2, 8, 4], strides: 3, dilations: 1, pad: 'valid' });
convCases.push({ x: [2, 10, 7, 16], filter: [1, 1, 16, 8], strides: 2, dilations: 1, pad: 'same' });
// The direct forward convolution of few channels: rows of 4 pixels and a remainder, 'valid' leaving input rows and
// columns unread, several column blocks of 8.
convCases.push({ x: [2, 9, 11, 2], filter: [5, 5, 2, 16], strides: 1, dilations: 1, pad: 'same' });
convCases.push({ x: [2, 10, 13, 3], filter: [3, 3, 3, 8], strides: 2, dilations: 1, pad: 'valid' });
// Filters five columns wide by F(4, 5) along rows (conv2dWinograd.ts), forward, stride-1 input gradient and filter
// gradient (F(5, 4)): an output width not a multiple of 4 (the last tile's columns past it dropped), row stride 2, a
// filter three rows high.
convCases.push({ x: [3, 9, 7, 8], filter: [5, 5, 8, 16], strides: 1, dilations: 1, pad: 'same' });
convCases.push({ x: [2, 9, 10, 4], filter: [3, 5, 4, 8], strides: [2, 1], dilations: 1, pad: 'same' });

const label = (c: ConvCase) => `x${c.x.join('x')} f${c.filter.join('x')} s${c.strides} d${c.dilations} pad=${JSON.stringify(c.pad)}`;

function convGrads(c: ConvCase, depthwise: boolean): () => tf.Tensor[] {
  return () =>
    tf.tidy(() => {
      const x = tf.tensor4d(seededValues(c.x.reduce((a, b) => a * b), 1), c.x);
      const w = tf.tensor4d(seededValues(c.filter.reduce((a, b) => a * b), 2), c.filter);
      const conv = (xx: tf.Tensor4D, ww: tf.Tensor4D) =>
        depthwise
          ? tf.depthwiseConv2d(xx, ww, c.strides, c.pad as 'same', 'NHWC', c.dilations)
          : tf.conv2d(xx, ww, c.strides, c.pad as 'same', 'NHWC', c.dilations);
      const f = (xx: tf.Tensor4D, ww: tf.Tensor4D) => {
        const y = conv(xx, ww);
        // A non-uniform upstream gradient, so every dy element matters.
        return y.mul(tf.tensor(seededValues(y.size, 3), y.shape)).sum();
      };
      const [dx, dw] = tf.grads(f as (...a: tf.Tensor[]) => tf.Tensor)([x, w]);
      return [dx as tf.Tensor, dw as tf.Tensor, conv(x, w)];
    });
}

// The forward pass too: output channels a multiple of 8 run conv2dDirect.ts's direct convolution.
for (const c of convCases) {
  test.serial(`conv2d and its gradients match cpu: ${label(c)}`, async (t) => {
    const expected = await computeOn('cpu', convGrads(c, false));
    const actual = await computeOn('wasm', convGrads(c, false));
    t.true(relativeError(actual[0]!, expected[0]!) <= TOLERANCE, `dx error ${relativeError(actual[0]!, expected[0]!)}`);
    t.true(relativeError(actual[1]!, expected[1]!) <= TOLERANCE, `dW error ${relativeError(actual[1]!, expected[1]!)}`);
    t.true(relativeError(actual[2]!, expected[2]!) <= TOLERANCE, `y error ${relativeError(actual[2]!, expected[2]!)}`);
  });
}

type Shape4 = [number, number, number, number];
interface ChunkCase {
  x: Shape4;
  filter: Shape4;
  strides: number;
  pad: Pad;
}

/**
 * The chunked paths (a few whole images at a time, the chunk size a parameter so that small tensors cross its
 * boundaries: two, two, then one image here), each registered as a test kernel with chunks of two images and checked
 * against cpu's kernel on the same seeded inputs. `path` is the wasm path given the chunk; `operands` makes the
 * kernel's inputs and attributes for a case.
 */
function chunkedPathMatchesCpu(spec: {
  title: string;
  kernelName: string;
  cpuKernel: string;
  cases: ChunkCase[];
  operands: (c: ChunkCase) => { inputs: tf.NamedTensorMap; attrs: Record<string, unknown> };
  path: (backend: BackendWasm, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>, imagesPerChunk: number) => tf.TensorInfo | undefined;
}): void {
  tf.registerKernel({
    kernelName: spec.kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const out = spec.path(backend as BackendWasm, inputs as Record<string, tf.TensorInfo>, attrs as Record<string, unknown>, 2);
      if (out === undefined) throw new Error(`${spec.title}: the path did not apply (no wasm SIMD?)`);
      return out;
    },
  });
  for (const c of spec.cases) {
    test.serial(`${spec.title}, two images per chunk, matches cpu: x${c.x.join('x')} f${c.filter.join('x')} s${c.strides} ${String(c.pad)}`, async (t) => {
      const compute = (kernel: string) => () =>
        tf.tidy(() => {
          const { inputs, attrs } = spec.operands(c);
          return [tf.engine().runKernel(kernel, inputs, { ...attrs, dataFormat: 'NHWC' } as never) as tf.Tensor];
        });
      const expected = await computeOn('cpu', compute(spec.cpuKernel));
      const actual = await computeOn('wasm', compute(spec.kernelName));
      t.true(relativeError(actual[0]!, expected[0]!) <= TOLERANCE, `error ${relativeError(actual[0]!, expected[0]!)}`);
    });
  }
}

const seeded = (shape: number[], seed: number) => tf.tensor(seededValues(shape.reduce((a, b) => a * b), seed), shape);

chunkedPathMatchesCpu({
  title: 'conv2d filter gradient as products',
  kernelName: 'AlphaOptTestFilterGradientByProduct',
  cpuKernel: 'Conv2DBackpropFilter',
  cases: [
    { x: [5, 9, 9, 4], filter: [3, 3, 4, 16], strides: 1, pad: 'same' },
    { x: [5, 11, 10, 3], filter: [3, 3, 3, 8], strides: 2, pad: 'same' },
    { x: [5, 12, 12, 1], filter: [5, 5, 1, 8], strides: 1, pad: 'valid' },
  ],
  operands: (c) => {
    const x = seeded(c.x, 30) as tf.Tensor4D;
    const y = tf.conv2d(x, tf.zeros(c.filter), c.strides, c.pad as 'same');
    return { inputs: { x, dy: seeded(y.shape, 31) }, attrs: { filterShape: c.filter, strides: c.strides, pad: c.pad } };
  },
  path: (backend, { x, dy }, attrs, images) => {
    const a = attrs as { filterShape: Shape4; strides: number; pad: 'same' | 'valid' };
    const info = tf.backend_util.computeConv2DInfo(x!.shape as Shape4, a.filterShape, a.strides, 1, a.pad);
    return filterGradientByProduct(backend, x!, dy!, info, images * a.filterShape[0] * a.filterShape[1] * a.filterShape[2] * info.outHeight * info.outWidth * 4);
  },
});

chunkedPathMatchesCpu({
  title: 'strided conv2d input gradient as products',
  kernelName: 'AlphaOptTestInputGradientByProduct',
  cpuKernel: 'Conv2DBackpropInput',
  cases: [
    { x: [5, 9, 9, 8], filter: [3, 3, 8, 16], strides: 2, pad: 'same' },
    { x: [5, 10, 11, 16], filter: [1, 1, 16, 8], strides: 2, pad: 'same' },
  ],
  operands: (c) => {
    const w = seeded(c.filter, 32) as tf.Tensor4D;
    const y = tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, w, c.strides, c.pad as 'same');
    return { inputs: { dy: seeded(y.shape, 33), filter: w }, attrs: { inputShape: c.x, strides: c.strides, pad: c.pad } };
  },
  path: (backend, { dy, filter }, attrs, images) => {
    const a = attrs as { inputShape: Shape4; strides: number; pad: 'same' | 'valid' };
    const f = filter!.shape as Shape4;
    const info = tf.backend_util.computeConv2DInfo(a.inputShape, f, a.strides, 1, a.pad);
    return inputGradientByProduct(backend, dy!, filter!, info, images * f[0] * f[1] * f[2] * info.outHeight * info.outWidth * 4);
  },
});

// conv2dDirect.ts's padded copies, about two images at a time.
chunkedPathMatchesCpu({
  title: 'direct conv2d',
  kernelName: 'AlphaOptTestConvDirect',
  cpuKernel: 'Conv2D',
  cases: [
    { x: [5, 9, 10, 16], filter: [3, 3, 16, 16], strides: 1, pad: 'same' },
    { x: [5, 11, 9, 3], filter: [3, 3, 3, 8], strides: 2, pad: 'valid' },
    // 49 pixels an image: tiles of four pixels run across rows and images, and the chunk's last pixels come singly.
    { x: [3, 7, 7, 32], filter: [5, 5, 32, 64], strides: 1, pad: 'same' },
    { x: [1, 5, 6, 1], filter: [5, 5, 1, 24], strides: 1, pad: 'same' },
    { x: [4, 9, 9, 5], filter: [2, 3, 5, 8], strides: 2, pad: 'same' },
  ],
  operands: (c) => ({ inputs: { x: seeded(c.x, 34), filter: seeded(c.filter, 35) }, attrs: { strides: c.strides, pad: c.pad, dilations: 1 } }),
  path: (backend, { x, filter }, attrs, images) => {
    const a = attrs as { strides: number; pad: 'same' | 'valid' };
    const [, H, W, C] = x!.shape as Shape4;
    const [KH, KW] = filter!.shape as [number, number];
    return convDirect(backend, x!, filter!, { ...a, dataFormat: 'NHWC', dilations: 1 }, images * (H + KH) * (W + KW) * C * 4);
  },
});

// conv2dWinograd.ts's chunks of two images: output widths 7, 8, 5, 1 and 10 (the last tile's 3, 4, 1, 1 and 2
// columns), batch 1, 'valid', several column blocks of 8, filters of 1, 3 and 5 rows.
const winogradCases: ChunkCase[] = [
  { x: [5, 7, 7, 32], filter: [5, 5, 32, 64], strides: 1, pad: 'same' },
  { x: [3, 9, 12, 4], filter: [3, 5, 4, 8], strides: 1, pad: 'valid' },
  { x: [1, 6, 5, 8], filter: [5, 5, 8, 16], strides: 1, pad: 'same' },
  { x: [3, 5, 5, 4], filter: [5, 5, 4, 8], strides: 1, pad: 'valid' },
  { x: [4, 3, 10, 12], filter: [1, 5, 12, 24], strides: 1, pad: 'same' },
];
chunkedPathMatchesCpu({
  title: 'conv2d by F(4, 5) along rows',
  kernelName: 'AlphaOptTestConvWinogradRows',
  cpuKernel: 'Conv2D',
  cases: winogradCases,
  operands: (c) => ({ inputs: { x: seeded(c.x, 36), filter: seeded(c.filter, 37) }, attrs: { strides: c.strides, pad: c.pad, dilations: 1 } }),
  path: (backend, { x, filter }, attrs, images) => {
    const a = attrs as { strides: number; pad: 'same' | 'valid' };
    const info = tf.backend_util.computeConv2DInfo(x!.shape as Shape4, filter!.shape as Shape4, a.strides, 1, a.pad);
    return convWinogradRows(backend, x!, filter!, info, images * winogradBytesPerImage(info));
  },
});

// conv2dWinograd.ts's filter gradient by F(5, 4), chunks of two images: the same shapes.
chunkedPathMatchesCpu({
  title: 'conv2d filter gradient by F(5, 4) along rows',
  kernelName: 'AlphaOptTestFilterGradientWinograd',
  cpuKernel: 'Conv2DBackpropFilter',
  cases: winogradCases,
  operands: (c) => {
    const x = seeded(c.x, 38) as tf.Tensor4D;
    const y = tf.conv2d(x, tf.zeros(c.filter), c.strides, c.pad as 'same');
    return { inputs: { x, dy: seeded(y.shape, 39) }, attrs: { filterShape: c.filter, strides: c.strides, pad: c.pad } };
  },
  path: (backend, { x, dy }, attrs, images) => {
    const a = attrs as { filterShape: Shape4; strides: number; pad: 'same' | 'valid' };
    const info = tf.backend_util.computeConv2DInfo(x!.shape as Shape4, a.filterShape, a.strides, 1, a.pad);
    return filterGradientWinograd(backend, x!, dy!, info, images * winogradBytesPerImage(info));
  },
});

const depthwiseCases: ConvCase[] = [
  { x: [2, 9, 8, 3], filter: [3, 3, 3, 2], strides: 1, dilations: 1, pad: 'same' },
  { x: [2, 9, 8, 3], filter: [3, 2, 3, 1], strides: 2, dilations: 1, pad: 'valid' },
  { x: [2, 6, 7, 2], filter: [2, 2, 2, 3], strides: 1, dilations: 1, pad: explicit(1, 0, 2, 1) },
];
for (const c of depthwiseCases) {
  test.serial(`depthwiseConv2d gradients match cpu: ${label(c)}`, async (t) => {
    const expected = await computeOn('cpu', convGrads(c, true));
    const actual = await computeOn('wasm', convGrads(c, true));
    t.true(relativeError(actual[0]!, expected[0]!) <= TOLERANCE, `dx error ${relativeError(actual[0]!, expected[0]!)}`);
    t.true(relativeError(actual[1]!, expected[1]!) <= TOLERANCE, `dW error ${relativeError(actual[1]!, expected[1]!)}`);
  });
}

const poolCases: Array<{ x: [number, number, number, number]; size: number; strides: number; pad: 'same' | 'valid'; relu: boolean }> = [
  { x: [2, 8, 8, 3], size: 2, strides: 2, pad: 'valid', relu: true },
  { x: [2, 9, 7, 3], size: 3, strides: 2, pad: 'same', relu: false },
  { x: [1, 6, 6, 2], size: 3, strides: 1, pad: 'same', relu: true },
];
for (const c of poolCases) {
  test.serial(`maxPool gradient matches cpu (ties after relu: ${c.relu}): x${c.x.join('x')} k${c.size} s${c.strides} ${c.pad}`, async (t) => {
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(seededValues(c.x.reduce((a, b) => a * b), 4), c.x);
        const f = (xx: tf.Tensor4D) => {
          const y = tf.maxPool(c.relu ? tf.relu(xx) : xx, c.size, c.strides, c.pad);
          return y.mul(tf.tensor(seededValues(y.size, 5), y.shape)).sum();
        };
        return [tf.grad(f as (x: tf.Tensor) => tf.Tensor)(x)];
      });
    const expected = await computeOn('cpu', grads);
    const actual = await computeOn('wasm', grads);
    t.true(relativeError(actual[0]!, expected[0]!) <= TOLERANCE);
  });
}

for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
  test.serial(`batched matMul and its gradients match cpu (transposeA=${transposeA}, transposeB=${transposeB})`, async (t) => {
    const grads = () =>
      tf.tidy(() => {
        const a = tf.tensor3d(seededValues(2 * 5 * 7, 6), transposeA ? [2, 7, 5] : [2, 5, 7]);
        const b = tf.tensor3d(seededValues(2 * 7 * 3, 7), transposeB ? [2, 3, 7] : [2, 7, 3]);
        const f = (aa: tf.Tensor, bb: tf.Tensor) => tf.matMul(aa, bb, transposeA, transposeB).square().sum();
        const [da, db] = tf.grads(f)([a, b]);
        return [tf.matMul(a, b, transposeA, transposeB), da as tf.Tensor, db as tf.Tensor];
      });
    const expected = await computeOn('cpu', grads);
    const actual = await computeOn('wasm', grads);
    expected.forEach((e, i) => t.true(relativeError(actual[i]!, e) <= TOLERANCE, `output ${i}`));
  });
}

test.serial('unsortedSegmentSum and the gradient of gather match cpu', async (t) => {
  const compute = () =>
    tf.tidy(() => {
      const x = tf.tensor2d(seededValues(6 * 4, 8), [6, 4]);
      const ids = tf.tensor1d([2, 0, 2, 1, 4, 0], 'int32');
      const table = tf.tensor2d(seededValues(5 * 3, 9), [5, 3]);
      const gatherGrad = tf.grad((tt: tf.Tensor) => tf.gather(tt, tf.tensor1d([1, 1, 3, 0], 'int32')).square().sum())(table);
      return [tf.unsortedSegmentSum(x, ids, 5), gatherGrad];
    });
  const expected = await computeOn('cpu', compute);
  const actual = await computeOn('wasm', compute);
  t.true(relativeError(actual[0]!, expected[0]!) <= TOLERANCE);
  t.true(relativeError(actual[1]!, expected[1]!) <= TOLERANCE);
});

// The depthwise backprop kernels carry a dilation attribute that tf.grads never sets,
// so dilated cases call the kernels directly. tfjs's cpu backprop kernels ignore that
// attribute, so both gradients are checked by the adjoint identities against cpu's
// *forward* kernel instead: for probe tensors U (filter-shaped) and V (input-shaped),
//   <dW, U> = <depthwiseConv2d(x, U), dy>   and   <dx, V> = <depthwiseConv2d(V, w), dy>.
for (const [dilations, pad] of [[2, 'same'], [3, 'valid'], [2, explicit(2, 1, 0, 3)]] as const) {
  test.serial(`depthwise backprop kernels with dilation ${dilations}, pad=${JSON.stringify(pad)} are correct`, async (t) => {
    const xShape: [number, number, number, number] = [2, 11, 10, 3];
    const filterShape: [number, number, number, number] = [3, 2, 3, 2];
    const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
    const probes = [20, 21, 22];
    const conv = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.depthwiseConv2d(x, w, 1, pad as 'same', 'NHWC', dilations);
    const inputs = () => {
      const x = tf.tensor4d(seededValues(size(xShape), 10), xShape);
      const w = tf.tensor4d(seededValues(size(filterShape), 11), filterShape);
      return { x, w, dy: tf.tensor4d(seededValues(conv(x, w).size, 12), conv(x, w).shape) };
    };
    const attrs = { strides: 1, dilations, pad, dimRoundingMode: undefined };
    const kernelProducts = () =>
      tf.tidy(() => {
        const { x, w, dy } = inputs();
        const dW = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape } as never) as tf.Tensor;
        const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...attrs, inputShape: xShape } as never) as tf.Tensor;
        return probes.flatMap((seed) => [
          dW.mul(tf.tensor(seededValues(dW.size, seed), filterShape)).sum(),
          dx.mul(tf.tensor(seededValues(dx.size, seed + 100), xShape)).sum(),
        ]);
      });
    const adjointProducts = () =>
      tf.tidy(() => {
        const { x, w, dy } = inputs();
        return probes.flatMap((seed) => [
          conv(x, tf.tensor4d(seededValues(size(filterShape), seed), filterShape)).mul(dy).sum(),
          conv(tf.tensor4d(seededValues(size(xShape), seed + 100), xShape), w).mul(dy).sum(),
        ]);
      });
    const expected = await computeOn('cpu', adjointProducts);
    const actual = await computeOn('wasm', kernelProducts);
    expected.forEach((e, i) => t.true(relativeError(actual[i]!, e) <= TOLERANCE, `${i % 2 === 0 ? 'dW' : 'dx'} probe ${i >> 1}: ${relativeError(actual[i]!, e)}`));
  });
}

// Tanh as 2σ(2x) − 1 (a series near 0, where that form cancels): element by element against cpu's Math.tanh,
// relative to each value, so tiny inputs count as much as large ones.
test.serial('tanh matches cpu element by element, tiny, huge and non-finite inputs included; and its gradient', async (t) => {
  const special = [0, 1e-30, -1e-30, 1e-6, -1e-6, 1e-3, -2e-3, 0.031, 0.0313, -0.0312, 0.5, -3, 9, -20, 100, Infinity, -Infinity, NaN];
  const values = [...special, ...Array.from(seededValues(3000, 13), (v) => v * 6)];
  const compute = () =>
    tf.tidy(() => {
      const x = tf.tensor2d(values, [values.length / 6, 6]);
      const finite = tf.tensor1d(values.slice(0, 15 + 0).concat(Array.from(seededValues(300, 14))));
      return [tf.tanh(x), tf.grad((v: tf.Tensor) => tf.tanh(v).mul(tf.tensor1d(seededValues(finite.size, 15))).sum())(finite)];
    });
  const [expected, expectedGrad] = await computeOn('cpu', compute);
  const [actual, actualGrad] = await computeOn('wasm', compute);
  values.forEach((x, i) => {
    const e = expected![i]!;
    const a = actual![i]!;
    if (Number.isNaN(e)) t.true(Number.isNaN(a), `tanh(${x}) = ${a}, expected NaN`);
    else t.true(Math.abs(a - e) <= (Math.abs(x) < 2 ** -5 ? 1e-6 * Math.abs(e) : Math.max(1e-5 * Math.abs(e), 1.5e-7)), `tanh(${x}) = ${a}, expected ${e}`);
  });
  t.true(relativeError(actualGrad!, expectedGrad!) <= TOLERANCE);
});

// The SIMD fix-up pass (kernels.wat's tanhFromSigmoid) against the JavaScript loop it replaced, bit for bit: the
// series branch in float64 on both sides of |x| = 2⁻⁵, tiny and signed zeros, and a length that leaves a tail.
test.serial('tanh: the SIMD pass from σ(2x) equals the element loop bit for bit', async (t) => {
  const boundary = Array.from({ length: 64 }, (_, k) => (2 ** -5) * (1 + (k - 32) * 2 ** -20));
  const values = Float32Array.from([
    0, -0, 1e-38, -1e-30, 2 ** -30, 1e-6, -3e-4, 0.01, -0.02, 1, -9, 30, Infinity, -Infinity,
    ...boundary, ...boundary.map((v) => -v), ...Array.from(seededValues(4001, 16), (v) => v * 0.05), ...Array.from(seededValues(999, 17), (v) => v * 8),
  ]);
  const [actual, sigmoidOfDouble] = await computeOn('wasm', () => {
    const x = tf.tensor1d(values);
    return [tf.tanh(x), tf.sigmoid(tf.mul(x, 2))];
  });
  t.not(simdKernels(tf.backend() as BackendWasm), undefined, 'wasm SIMD is available, so tf.tanh took the SIMD pass');
  const expected = Float32Array.from(sigmoidOfDouble!);
  tanhFromSigmoidLoop(values, expected);
  const [a, e] = [new Uint32Array(actual!.buffer, actual!.byteOffset, actual!.length), new Uint32Array(expected.buffer)];
  const differing = [...values.keys()].filter((i) => a[i] !== e[i]);
  t.deepEqual(differing.map((i) => values[i]), [], `tanh differs from the loop at ${differing.length} of ${values.length} inputs`);
});

// Sum and Mean over leading axes (batch norm's reductions) run without the transpose; the others fall back.
const reductions: Array<{ shape: number[]; axis: number | number[] }> = [
  { shape: [4, 5, 6, 3], axis: [0, 1, 2] },
  { shape: [4, 5, 6, 3], axis: [2, 0, 1] },
  { shape: [4, 5, 6, 3], axis: [0, 1] },
  { shape: [7, 3], axis: 0 },
  { shape: [7, 3], axis: -2 },
  { shape: [9], axis: 0 },
  { shape: [4, 5, 6, 3], axis: [1, 2] },
  { shape: [4, 5, 6, 3], axis: [0, 1, 2, 3] },
  { shape: [7, 3], axis: 1 },
  { shape: [128, 8, 8, 16], axis: [0, 1, 2] },
];
for (const { shape, axis } of reductions) {
  for (const keepDims of [false, true]) {
    test.serial(`sum, mean, moments and their gradients match cpu: x${shape.join('x')} axis ${JSON.stringify(axis)} keepDims ${keepDims}`, async (t) => {
      const compute = () =>
        tf.tidy(() => {
          const size = shape.reduce((a, b) => a * b, 1);
          const x = tf.tensor(seededValues(size, 16), shape);
          const { mean, variance } = tf.moments(x, axis, keepDims);
          const grad = tf.grad((v: tf.Tensor) => {
            const m = tf.moments(v, axis, true);
            return tf.div(tf.sub(v, m.mean), tf.sqrt(tf.add(m.variance, 1e-5))).mul(tf.tensor(seededValues(size, 17), shape)).sum();
          })(x);
          return [tf.sum(x, axis, keepDims), tf.mean(x, axis, keepDims), mean, variance, grad];
        });
      const expected = await computeOn('cpu', compute);
      const actual = await computeOn('wasm', compute);
      const shapes = await computeShapes(compute);
      t.is(shapes.length, 5);
      expected.forEach((e, i) => t.true(relativeError(actual[i]!, e) <= TOLERANCE, `output ${i}: ${relativeError(actual[i]!, e)}`));
    });
  }
}

/** Output shapes on wasm must equal cpu's too (keepDims). */
async function computeShapes(compute: () => tf.Tensor[]): Promise<string[]> {
  const shapes: string[] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    await computeOn(backend, () => {
      const outs = compute();
      shapes.push(JSON.stringify(outs.map((o) => o.shape)));
      return outs;
    });
  }
  if (shapes[0] !== shapes[1]) throw new Error(`shapes differ: cpu ${shapes[0]}, wasm ${shapes[1]}`);
  return JSON.parse(shapes[0]!) as string[];
}

// addRowVector.ts: a bias along the last axis, either operand, widths around the vector width, no rows, one column;
// every element must be the cpu backend's float32 sum (−0, ±∞ and NaN among the values).
const rowVectorCases: Array<[number[], number[]]> = [
  [[5, 7], [7]],
  [[7], [5, 7]],
  [[2, 3, 4, 8], [8]],
  [[3, 13], [13]],
  [[0, 4], [4]],
  [[6, 1], [1]],
  [[4], [3, 4]],
];
for (const [shapeA, shapeB] of rowVectorCases) {
  test.serial(`add with a row vector on wasm equals cpu bit for bit: [${shapeA}] + [${shapeB}]`, async (t) => {
    const special = [-0, Infinity, -Infinity, NaN, 1e-30];
    const values = (shape: number[], seed: number) =>
      seededValues(shape.reduce((a, b) => a * b, 1), seed).map((v, i) => (i % 11 === 3 ? special[i % special.length]! : v));
    const sum = () => tf.tidy(() => [tf.add(tf.tensor(values(shapeA, 40), shapeA), tf.tensor(values(shapeB, 41), shapeB))]);
    const [expected] = await computeOn('cpu', sum);
    const before = tf.memory().numTensors;
    const [actual] = await computeOn('wasm', sum);
    t.is(tf.memory().numTensors, before);
    t.deepEqual(Array.from(actual!), Array.from(expected!));
  });
}

// ADD_PAIR_ROW_KERNEL (addRowVector.ts): an LSTM gate's (x·W + h·U) + b in one pass, against tf.add(tf.add(x, y), v)
// on cpu, every element (widths around the vector width, a rank-3 input, −0, ±∞ and NaN among the values); and the
// gate path itself uses it outside a tape and the ops under one.
for (const shape of [[5, 20], [3, 13], [2, 3, 8], [9, 1], [0, 4]]) {
  test.serial(`(x + y) + row vector in one pass on wasm equals cpu bit for bit: [${shape}]`, async (t) => {
    const special = [-0, Infinity, -Infinity, NaN, 1e-30, -1e-38];
    const values = (s: number[], seed: number) => seededValues(s.reduce((a, b) => a * b, 1), seed).map((v, i) => (i % 7 === 2 ? special[(i + seed) % special.length]! : v * 40));
    const c = shape[shape.length - 1]!;
    const inputs = () => [tf.tensor(values(shape, 50), shape), tf.tensor(values(shape, 51), shape), tf.tensor1d(values([c], 52))] as const;
    const [expected] = await computeOn('cpu', () => tf.tidy(() => { const [x, y, v] = inputs(); return [tf.add(tf.add(x, y), v)]; }));
    const [actual, gradient] = await computeOn('wasm', () =>
      tf.tidy(() => {
        t.true(fusedPass(ADD_PAIR_ROW_KERNEL), 'the fused kernel runs on wasm outside a tape');
        const [x, y, v] = inputs();
        // Under a tape the gate takes the ops (the fused kernel has no gradient: tf.grad would throw on it).
        const dx = tf.grad((xx: tf.Tensor) => tf.sum(addPairAndBias(xx as tf.Tensor2D, y as tf.Tensor2D, v as tf.Tensor1D)))(x);
        return [addPairAndBias(x as tf.Tensor2D, y as tf.Tensor2D, v as tf.Tensor1D), dx];
      }),
    );
    t.deepEqual(Array.from(actual!), Array.from(expected!));
    t.true(gradient!.every((g) => g === 1), 'd/dx of the sum is 1 everywhere');
  });
}

test.serial('identity (tf.clone) shares the buffer on wasm: same values, no new bytes, and it outlives its source', async (t) => {
  await computeOn('wasm', () => []);
  const x = tf.tensor2d(seededValues(64 * 64, 18), [64, 64]);
  const buffers = tf.memory().numDataBuffers;
  const copy = tf.clone(x);
  t.is(tf.memory().numDataBuffers, buffers, 'a clone holds no buffer of its own');
  const expected = Array.from(await x.data());
  x.dispose();
  t.deepEqual(Array.from(await copy.data()), expected, 'the clone keeps the data after the source is disposed');
  const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.clone(v), v)))(copy);
  t.true(relativeError(await grad.data(), expected.map((v) => 2 * v)) <= TOLERANCE);
  tf.dispose([copy, grad]);
  t.is(tf.memory().numDataBuffers, buffers - 1, 'the buffer is freed once the last reference goes');
});
