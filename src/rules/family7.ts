/**
 * The 7-hyper-parameter family of Zhu, Hayashi & Ohsawa:
 *
 *   P(gₜ) = a₁·P(gₜ₋₁) + a₂·gₜ⊙gₜ + a₃
 *   Q(gₜ) = b₁·Q(gₜ₋₁) + b₂·gₜ + b₃
 *   g′ₜ   = η · Q(gₜ) / √P(gₜ),    θ ← θ − g′ₜ
 *
 * Each of (η, a₁, a₂, a₃, b₁, b₂, b₃) may be a number, a scalar tensor (to
 * differentiate through), a schedule, or be set per step by a controller through
 * `input.overrides` (keys `learningRate`, `a1` … `b3`). `p0`/`q0` set P and Q
 * before the first step. Exact special cases (tested in test/family7.test.ts):
 *
 *   SGD:       a₁=0, a₂=0, a₃=1, b₁=0, b₂=1, b₃=0, p0=1
 *   momentum:  a₁=0, a₂=0, a₃=1, b₁=μ, b₂=1, b₃=0, p0=1          (tfjs's momentum form)
 *   RMSProp:   a₁=ρ, a₂=1−ρ, a₃=(1−ρ)ε, p0=ε, b₁=0, b₂=1, b₃=0  (ε inside the root: P = s + ε)
 *   Adam without bias correction:  a₁=β₂, a₂=1−β₂, a₃=0, b₁=β₁, b₂=1−β₁, b₃=0, with ε = 0
 *     (Adam's ε sits outside the root, m/(√v + ε), which no member of the family expresses;
 *      a₃ = (1−β₂)ε, p0 = ε gives the ε-inside-the-root variant m/√(v + ε)).
 */
import tf from '#tfjs';
import { hyperSpec, valueAt, type StepSize } from './hyper.js';
import { checkRuleOptions } from './options.js';
import type { RuleSpec } from './spec.js';
import type { UpdateRule } from './types.js';

export interface Family7Options {
  learningRate?: StepSize;
  a1?: StepSize;
  a2?: StepSize;
  a3?: StepSize;
  b1?: StepSize;
  b2?: StepSize;
  b3?: StepSize;
  p0?: number;
  q0?: number;
}

export const FAMILY7_NAMES = ['learningRate', 'a1', 'a2', 'a3', 'b1', 'b2', 'b3'] as const;
export type Family7Name = (typeof FAMILY7_NAMES)[number];

/** Defaults: Adam without bias correction, with ε inside the root (ε = 1e-8). */
export const FAMILY7_DEFAULTS: Required<Family7Options> = {
  learningRate: 0.001,
  a1: 0.999,
  a2: 0.001,
  a3: 1e-11,
  b1: 0.9,
  b2: 0.1,
  b3: 0,
  p0: 1e-8,
  q0: 0,
};

type Family7State = { p: tf.Tensor[]; q: tf.Tensor[] };

/** The family as a complete rule (it includes its own step size η): updates = −g′. */
export function family7(options: Family7Options = {}): UpdateRule<Family7State> {
  checkRuleOptions('family7', options);
  const o = { ...FAMILY7_DEFAULTS, ...options };
  const specOptions: RuleSpec['options'] = { p0: o.p0, q0: o.q0 };
  let serialisable = true;
  for (const name of FAMILY7_NAMES) {
    const spec = hyperSpec(o[name]);
    if (spec === undefined) serialisable = false;
    else specOptions[name] = spec;
  }
  const rule: UpdateRule<Family7State> = {
    init: (params) => ({ p: params.map((x) => tf.fill(x.shape, o.p0)), q: params.map((x) => tf.fill(x.shape, o.q0)) }),
    update(input, state) {
      const h = (name: Family7Name) => input.overrides?.[name] ?? valueAt(o[name], input.step);
      const [lr, a1, a2, a3, b1, b2, b3] = FAMILY7_NAMES.map(h) as [number | tf.Scalar, ...Array<number | tf.Scalar>];
      const p = input.grads.map((g, i) => tf.add(tf.add(tf.mul(state.p[i] as tf.Tensor, a1!), tf.mul(tf.square(g), a2!)), a3!));
      const q = input.grads.map((g, i) => tf.add(tf.add(tf.mul(state.q[i] as tf.Tensor, b1!), tf.mul(g, b2!)), b3!));
      const negLr = typeof lr === 'number' ? -lr : tf.neg(lr);
      const updates = q.map((qi, i) => tf.mul(tf.div(qi, tf.sqrt(p[i] as tf.Tensor)), negLr));
      return { updates, state: { p, q } };
    },
  };
  return serialisable ? { ...rule, spec: { rule: 'family7', options: specOptions } } : rule;
}
