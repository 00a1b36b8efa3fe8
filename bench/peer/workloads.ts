/**
 * The peer benchmark's workloads on AlphaOpt's side. Each names its PyTorch twin in
 * bench/peer/torch_workloads.py (same shapes, same math). The training steps reuse
 * bench/cases.ts (the CNN and MLP steps with AlphaOpt's rules.adam, which is what the package trains with; the MLP
 * step as the MNIST MLP task takes it, bench/denseMlp.ts, and through tfjs-layers); the optimizer updates run on the 101,770 parameters of the
 * 784-128-10 MLP of bench/rules.ts with fixed gradients.
 */
import { tf, rules, toTfjsOptimizer, LstmOptimizer, CoordinatePolicy } from '../../src/index.js';
import type { UpdateRule } from '../../src/rules/index.js';
import type { StateTree } from '../../src/rules/types.js';
import { CASES, trainingCase, type BenchCase } from '../cases.js';
import { denseMlpCase } from '../denseMlp.js';
import { mnistCnn, mnistMlp } from '../../src/models/index.js';

export interface PeerWorkload extends BenchCase {
  /** The workload of torch_workloads.py it is compared with. */
  peer: string;
  /** Floating-point operations of one call, where a FLOP floor is stated. */
  flops?: number;
}

const SHAPES: number[][] = [[784, 128], [128], [128, 10], [10]];
export const UPDATE_PARAMETERS = SHAPES.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);

function fixedGradients(): tf.Tensor[] {
  return SHAPES.map((shape, i) => tf.randomNormal(shape, 0, 1e-2, 'float32', i));
}

/** One update of a rule on the 101,770 parameters: θ ← θ + update(g), state carried over. */
function ruleUpdate(id: string, peer: string, title: string, makeRule: () => { rule: UpdateRule; release(): void }, flops?: number): PeerWorkload {
  let params: tf.Tensor[] = [];
  let grads: tf.Tensor[] = [];
  let state: StateTree | undefined;
  let step = 0;
  const run = async () => {
    const next = tf.tidy(() => {
      const { updates, state: s } = rule.update({ grads, params, step, loss: tf.scalar(1) }, state!);
      return { params: params.map((p, i) => tf.add(p, updates[i]!)), state: s };
    });
    tf.dispose([...params, state!]);
    params = next.params;
    state = next.state;
    step += 1;
    await params[params.length - 1]!.data();
  };
  let rule: UpdateRule;
  let release = () => {};
  return {
    id,
    peer,
    title,
    ...(flops === undefined ? {} : { flops }),
    async prepare() {
      ({ rule, release } = makeRule());
      params = SHAPES.map((s) => tf.zeros(s));
      grads = fixedGradients();
      state = rule.init(params);
      await run(); // warm-up
      return run;
    },
    dispose() {
      tf.dispose([...params, ...grads, ...(state === undefined ? [] : [state])]);
      release();
    },
  };
}

/** tf.train.adam (or any tf.Optimizer) applying fixed gradients to the 101,770 parameters. */
function optimizerUpdate(id: string, title: string, make: () => tf.Optimizer): PeerWorkload {
  let variables: tf.Variable[] = [];
  let grads: tf.Tensor[] = [];
  let optimizer: tf.Optimizer | undefined;
  return {
    id,
    peer: 'adam',
    title,
    async prepare() {
      variables = SHAPES.map((s, i) => tf.variable(tf.zeros(s), true, `peer-${id}-${i}-${Math.random()}`));
      grads = fixedGradients();
      const o = make();
      optimizer = o;
      const named = variables.map((v, i) => ({ name: v.name, tensor: grads[i]! }));
      const run = async () => {
        o.applyGradients(named);
        await variables[variables.length - 1]!.data();
      };
      await run();
      return run;
    },
    dispose() {
      optimizer?.dispose();
      tf.dispose([...variables, ...grads]);
    },
  };
}

const learned = (optimizer: { rule(): unknown; dispose(): void }) => ({ rule: optimizer.rule() as UpdateRule, release: () => optimizer.dispose() });

const fromCases = (id: string, peer: string): PeerWorkload => {
  const c = CASES.find((k) => k.id === id);
  if (c === undefined) throw new Error(`bench/cases.ts has no case '${id}'`);
  return { ...c, peer };
};

const n = UPDATE_PARAMETERS;
/** Multiply-adds ×2 of the policy's per-coordinate MLP (77 → 32 → 32 → 1): its FLOP floor. */
const POLICY_FLOPS = n * 2 * (77 * 32 + 32 * 32 + 32);
/** The LSTM's per-coordinate products: layer 1 (2 + 20 inputs → 80 gates), layer 2 (40 → 80), output 20 → 1. */
const LSTM_FLOPS = n * 2 * (22 * 80 + 40 * 80 + 20);

/** AlphaOpt's Adam (rules.adam through the tf.Optimizer adapter), as a user of the package trains with it. */
const alphaOptAdam = () => toTfjsOptimizer(rules.adam({ learningRate: 1e-3 }));

export const WORKLOADS: PeerWorkload[] = [
  { ...trainingCase('cnn', '(a) CNN train step, batch 50, rules.adam', () => mnistCnn({ seed: 1 }), [28, 28, 1], 50, alphaOptAdam), peer: 'cnn' },
  fromCases('resnet', 'resnet'),
  { ...denseMlpCase('mlp', '(b) MLP 784-20-10 sigmoid train step, batch 128, rules.adam, flat θ with the written-out gradient (as the MNIST MLP task)'), peer: 'mlp' },
  { ...trainingCase('mlp-layers', '(b) MLP 784-20-10 sigmoid train step, batch 128, rules.adam, tfjs-layers model', () => mnistMlp({ seed: 1 }), [784], 128, alphaOptAdam), peer: 'mlp' },
  { ...fromCases('matmul', 'matmul'), flops: 2 * 512 ** 3 },
  optimizerUpdate('tf-adam', `tf.train.adam update, ${n} parameters`, () => tf.train.adam(1e-3)),
  optimizerUpdate('adam', `AlphaOpt rules.adam update (toTfjsOptimizer), ${n} parameters`, () => toTfjsOptimizer(rules.adam({ learningRate: 1e-3 }))),
  ruleUpdate('lstm', 'lstm', `LSTM optimizer (2×20, L2L preprocessing) update, ${n} parameters`, () => learned(new LstmOptimizer()), LSTM_FLOPS),
  ruleUpdate('policy', 'policy', `coordinate policy (H = 25, MLP [32, 32]) update, ${n} parameters`, () => learned(new CoordinatePolicy()), POLICY_FLOPS),
];
