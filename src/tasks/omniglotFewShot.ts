/**
 * Omniglot N-way K-shot episodes as a task family. Each run (row) is one episode:
 * a four-block conv net starts from one fixed initialisation and is trained on
 * the episode's support set (the whole support set every step); `evaluate` gives
 * its accuracy on the episode's query set. Seeds choose the episode: meta-training
 * and meta-validation seeds (≥ 10⁶) draw from the 30 background alphabets, with
 * rotations by 90° as extra classes (the usual protocol); suite seeds (< 10⁶)
 * draw from the 20 evaluation alphabets, never seen in meta-training.
 */
import tf from '#tfjs';
import { loadOmniglot, type OmniglotCharacter, type OmniglotSplit } from '../data/omniglot.js';
import { hashSeed, normals, rng } from '../random.js';
import { fourBlockNet } from './convNet.js';
import { splitRows } from './rows.js';
import type { Problem, Task } from './types.js';
import t from '#cjs/io-ts';
import { strict } from '../codec/strict.js';
import * as values from '../codec/values.js';
import { registerTaskKind, taskOptions } from './kinds.js';

export interface OmniglotFewShotOptions {
  ways?: number;
  shots?: number;
  /** Query drawings per class (default 15, or what the 20 drawings leave after the shots). */
  queries?: number;
  /**
   * Query drawings per class of meta-training and meta-validation episodes (background
   * seeds; default `queries`). Finn et al.'s MAML meta-trains Omniglot with as many
   * queries as shots; the outer step's cost grows with the queries (15 per class make
   * it ~5× dearer at 1 shot, bench/omniglot-maml.ts), while meta-test episodes keep `queries`.
   */
  metaTrainQueries?: number;
  /** Filters per conv block (default 64). */
  filters?: number;
  /** Seed of the one initialisation every episode starts from. */
  initSeed?: number;
  dataDir?: string;
  id?: string;
  /**
   * Start every episode from a MAML-learned initialisation instead (the task's
   * `learnedStart`): the suite's prepare step loads it from `checkpoint`, or
   * meta-trains it there on background episodes (`config`, see meta/maml/) when
   * the folder has none.
   */
  maml?: { checkpoint: string; config?: Record<string, unknown> };
}

const META_SEEDS = 1_000_000;

/** Rotates a size × size image by k quarter turns (counter-clockwise). */
export function rotateQuarter(image: Float32Array, size: number, k: number): Float32Array {
  let out = image;
  for (let turn = 0; turn < ((k % 4) + 4) % 4; turn++) {
    const next = new Float32Array(size * size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) next[(size - 1 - x) * size + y] = out[y * size + x]!;
    out = next;
  }
  return out;
}

export interface Episode {
  support: { images: Float32Array; labels: number[] };
  query: { images: Float32Array; labels: number[] };
}

/** Draws an episode: `ways` classes (a character, or with rotations a character turned by k·90°), shuffled drawings. */
export function sampleEpisode(characters: OmniglotCharacter[], seed: number, o: { ways: number; shots: number; queries: number; rotations: boolean; size: number }): Episode {
  const random = rng(hashSeed(seed, 0xe915));
  const classCount = characters.length * (o.rotations ? 4 : 1);
  if (classCount < o.ways) throw new Error(`omniglot: ${o.ways}-way episodes need ${o.ways} classes; the split has ${classCount}`);
  const chosen = new Set<number>();
  while (chosen.size < o.ways) chosen.add(Math.floor(random() * classCount));
  const pixels = o.size * o.size;
  const support = { images: new Float32Array(o.ways * o.shots * pixels), labels: [] as number[] };
  const query = { images: new Float32Array(o.ways * o.queries * pixels), labels: [] as number[] };
  [...chosen].forEach((cls, label) => {
    const character = characters[Math.floor(cls / (o.rotations ? 4 : 1))]!;
    const turn = o.rotations ? cls % 4 : 0;
    if (character.drawings.length < o.shots + o.queries) {
      throw new Error(`omniglot: ${character.alphabet}/${character.character} has ${character.drawings.length} drawings; ${o.shots} shots + ${o.queries} queries need more`);
    }
    // Fisher–Yates: which drawings are support and which are query.
    const order = character.drawings.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    order.slice(0, o.shots + o.queries).forEach((d, i) => {
      const image = rotateQuarter(character.drawings[d]!, o.size, turn);
      const target = i < o.shots ? support : query;
      target.images.set(image, target.labels.length * pixels);
      target.labels.push(label);
    });
  });
  return { support, query };
}

/** Which alphabets a seed's episodes come from: meta-training and meta-validation seeds (≥ 10⁶) the background ones, suite seeds the evaluation ones. */
export function episodeSplit(seed: number): OmniglotSplit {
  return seed >= META_SEEDS ? 'background' : 'evaluation';
}

/** The episode of `seed`: drawn from its split only, with the rotated classes on background alphabets. */
export function episodeOf(splits: Record<OmniglotSplit, OmniglotCharacter[]>, seed: number, o: { ways: number; shots: number; queries: number; size: number }): Episode {
  const split = episodeSplit(seed);
  return sampleEpisode(splits[split], seed, { ...o, rotations: split === 'background' });
}

export function omniglotFewShotTask(options: OmniglotFewShotOptions = {}): Task {
  const ways = options.ways ?? 5;
  const shots = options.shots ?? 1;
  const queries = options.queries ?? Math.min(15, 20 - shots);
  const metaTrainQueries = options.metaTrainQueries ?? queries;
  const size = 28;
  const net = fourBlockNet(ways, options.filters ?? 64, [size, size, 1]);
  let splits: { background: OmniglotCharacter[]; evaluation: OmniglotCharacter[] } | undefined;
  let initial = net.initialize(((r) => () => normals(r, 1)[0]!)(rng(hashSeed(options.initSeed ?? 0, 0x1417))));

  const crossEntropy = (logits: tf.Tensor2D, labels: number[]) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(labels, 'int32'), ways), logits) as tf.Scalar;

  const id = options.id ?? `omniglot-${ways}way-${shots}shot${options.maml === undefined ? '' : '-maml'}`;
  const task: Task = {
    id,
    dimension: net.dimension,
    lossScale: 'log',
    async prepare() {
      if (splits !== undefined) return;
      const dataDir = options.dataDir;
      const [background, evaluation] = await Promise.all([
        loadOmniglot('background', dataDir === undefined ? {} : { dataDir }),
        loadOmniglot('evaluation', dataDir === undefined ? {} : { dataDir }),
      ]);
      splits = { background, evaluation };
    },
    ...(options.maml === undefined
      ? {}
      : {
          learnedStart: {
            method: 'maml',
            checkpoint: options.maml.checkpoint,
            config: options.maml.config ?? {},
            initial: () => initial,
            use: (start: Float32Array) => {
              initial = start;
            },
          },
        }),
    instantiate(seeds): Problem {
      if (splits === undefined) throw new Error(`task ${options.id ?? 'omniglot'}: call prepare() first (it loads Omniglot)`);
      const episodes = seeds.map((seed) => episodeOf(splits!, seed, { ways, shots, queries: episodeSplit(seed) === 'background' ? metaTrainQueries : queries, size }));
      const toImages = (e: { images: Float32Array; labels: number[] }) => tf.keep(tf.tensor4d(e.images, [e.labels.length, size, size, 1]));
      const supports = episodes.map((e) => toImages(e.support));
      const queriesX = episodes.map((e) => toImages(e.query));
      // One typed copy per row (nested JS arrays of 10⁵ numbers per row cost ~40 ms a row).
      const rows = new Float32Array(seeds.length * initial.length);
      for (let r = 0; r < seeds.length; r++) rows.set(initial, r * initial.length);
      const start = tf.tensor2d(rows, [seeds.length, initial.length]);
      const perRow = (theta: tf.Tensor2D, f: (row: tf.Tensor1D, r: number) => tf.Scalar) =>
        tf.stack(splitRows(theta).map((row, r) => f(row as tf.Tensor1D, r))) as tf.Tensor1D;
      return {
        seeds,
        start,
        loss: (theta) => tf.tidy(() => perRow(theta, (row, r) => crossEntropy(net.forward(row, supports[r]!), episodes[r]!.support.labels))),
        heldOutLoss: (theta) => tf.tidy(() => perRow(theta, (row, r) => crossEntropy(net.forward(row, queriesX[r]!), episodes[r]!.query.labels))),
        async evaluate(theta) {
          const out: Array<Record<string, number>> = [];
          for (let r = 0; r < seeds.length; r++) {
            const [loss, accuracy] = tf.tidy(() => {
              const row = tf.squeeze(tf.slice(theta, [r, 0], [1, -1]), [0]) as tf.Tensor1D;
              const logits = net.forward(row, queriesX[r]!);
              const labels = tf.tensor1d(episodes[r]!.query.labels, 'int32');
              return [crossEntropy(logits, episodes[r]!.query.labels), tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'))];
            });
            const [l, a] = await Promise.all([loss.data(), accuracy.data()]);
            tf.dispose([loss, accuracy]);
            out.push({ testLoss: l[0]!, testAccuracy: a[0]! });
          }
          return out;
        },
        dispose: () => tf.dispose([start, ...supports, ...queriesX]),
      };
    },
  };
  return task;
}

registerTaskKind({
  kind: 'omniglotFewShot',
  options: taskOptions(
    'omniglotFewShot',
    {
      ways: values.positiveInt,
      shots: values.positiveInt,
      queries: values.positiveInt,
      metaTrainQueries: values.positiveInt,
      filters: values.positiveInt,
      maml: strict('a MAML initialisation {checkpoint, config}', { checkpoint: values.text }, { config: t.record(t.string, t.unknown) }),
    },
    {
      check: (o) => [
        ...((o.shots ?? 1) + (o.queries ?? 0) > 20 ? [{ message: 'shots + queries must be at most 20 (Omniglot has 20 drawings per character)' }] : []),
        ...((o.shots ?? 1) + (o.metaTrainQueries ?? 0) > 20 ? [{ message: 'shots + metaTrainQueries must be at most 20 (Omniglot has 20 drawings per character)' }] : []),
        // maml.config is a meta-training config: suite/decode.ts checks it with the MAML meta-trainer's codec.
      ],
    },
  ),
  create: (o, { id, dataDir }) => omniglotFewShotTask({ ...o, id, dataDir }),
});
