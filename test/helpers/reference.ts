/**
 * Textbook optimizers in plain float64 JavaScript, written from the papers'
 * formulas and independently of src/rules, to check the tensor implementations.
 * Each is a per-coordinate step function over a state object.
 */
export type Vec = number[];
export type RefStep = (theta: Vec, g: Vec, t: number) => Vec; // t = 1 for the first step

const zeros = (n: number) => new Array<number>(n).fill(0);

export const reference = {
  sgd: (lr: number): RefStep => (th, g) => th.map((x, i) => x - lr * g[i]!),
  momentum(lr: number, mu: number, nesterov = false): RefStep {
    let v: Vec | undefined;
    return (th, g) => {
      v ??= zeros(th.length);
      v = v.map((vi, i) => mu * vi + g[i]!);
      return th.map((x, i) => x - lr * (nesterov ? g[i]! + mu * v![i]! : v![i]!));
    };
  },
  adagrad(lr: number, init: number, eps: number): RefStep {
    let a: Vec | undefined;
    return (th, g) => {
      a ??= new Array<number>(th.length).fill(init);
      a = a.map((ai, i) => ai + g[i]! ** 2);
      return th.map((x, i) => x - (lr * g[i]!) / Math.sqrt(a![i]! + eps));
    };
  },
  rmsprop(lr: number, rho: number, eps: number, mu = 0, centered = false, centeredEpsSign = 1): RefStep {
    let s: Vec | undefined, m: Vec | undefined, mom: Vec | undefined;
    return (th, g) => {
      s ??= zeros(th.length);
      m ??= zeros(th.length);
      mom ??= zeros(th.length);
      s = s.map((si, i) => rho * si + (1 - rho) * g[i]! ** 2);
      m = m.map((mi, i) => rho * mi + (1 - rho) * g[i]!);
      const denom = th.map((_, i) => (centered ? s![i]! - m![i]! ** 2 + centeredEpsSign * eps : s![i]! + eps));
      mom = mom.map((oi, i) => mu * oi + (lr * g[i]!) / Math.sqrt(denom[i]!));
      return th.map((x, i) => x - mom![i]!);
    };
  },
  /** Zeiler's Algorithm 1; `lagged` reproduces tfjs's variant that divides by the previous E[g²]. */
  adadelta(lr: number, rho: number, eps: number, lagged = false): RefStep {
    let eg: Vec | undefined, ed: Vec | undefined;
    return (th, g) => {
      eg ??= zeros(th.length);
      ed ??= zeros(th.length);
      const previous = eg;
      eg = eg.map((e, i) => rho * e + (1 - rho) * g[i]! ** 2);
      const d = th.map((_, i) => (Math.sqrt(ed![i]! + eps) / Math.sqrt((lagged ? previous : eg!)[i]! + eps)) * g[i]!);
      ed = ed.map((e, i) => rho * e + (1 - rho) * d[i]! ** 2);
      return th.map((x, i) => x - lr * d[i]!);
    };
  },
  adam(lr: number, b1: number, b2: number, eps: number, options: { amsgrad?: boolean; weightDecay?: number; biasCorrection?: boolean } = {}): RefStep {
    let m: Vec | undefined, v: Vec | undefined, vmax: Vec | undefined;
    const correct = options.biasCorrection ?? true;
    return (th, g, t) => {
      m ??= zeros(th.length);
      v ??= zeros(th.length);
      vmax ??= zeros(th.length);
      m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]!);
      v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i]! ** 2);
      vmax = vmax.map((x, i) => Math.max(x, v![i]!));
      const c1 = correct ? 1 - b1 ** t : 1;
      const c2 = correct ? 1 - b2 ** t : 1;
      const second = options.amsgrad === true ? vmax : v;
      return th.map((x, i) => x - lr * ((m![i]! / c1) / (Math.sqrt(second[i]! / c2) + eps) + (options.weightDecay ?? 0) * x));
    };
  },
  adamax(lr: number, b1: number, b2: number, eps: number): RefStep {
    let m: Vec | undefined, u: Vec | undefined;
    return (th, g, t) => {
      m ??= zeros(th.length);
      u ??= zeros(th.length);
      m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]!);
      u = u.map((ui, i) => Math.max(b2 * ui, Math.abs(g[i]!)));
      return th.map((x, i) => x - (lr / (1 - b1 ** t)) * (m![i]! / (u![i]! + eps)));
    };
  },
  family7(h: { lr: number; a1: number; a2: number; a3: number; b1: number; b2: number; b3: number; p0: number; q0?: number }): RefStep {
    let p: Vec | undefined, q: Vec | undefined;
    return (th, g) => {
      p ??= new Array<number>(th.length).fill(h.p0);
      q ??= new Array<number>(th.length).fill(h.q0 ?? 0);
      p = p.map((pi, i) => h.a1 * pi + h.a2 * g[i]! ** 2 + h.a3);
      q = q.map((qi, i) => h.b1 * qi + h.b2 * g[i]! + h.b3);
      return th.map((x, i) => x - (h.lr * q![i]!) / Math.sqrt(p![i]!));
    };
  },
};

/** The ill-conditioned quadratic f(x, y) = ½(x² + 50y²) (κ = 50), rotated by 30° so coordinates interact. */
export const QUADRATIC = {
  start: [1.0, 0.8] as Vec,
  curvatures: [1, 50] as const,
  angle: Math.PI / 6,
  rotate(v: Vec, sign = 1): Vec {
    const c = Math.cos(this.angle);
    const s = Math.sin(sign * this.angle);
    return [c * v[0]! - s * v[1]!, s * v[0]! + c * v[1]!];
  },
  loss(th: Vec): number {
    const u = this.rotate(th, -1);
    return 0.5 * (this.curvatures[0] * u[0]! ** 2 + this.curvatures[1] * u[1]! ** 2);
  },
  grad(th: Vec): Vec {
    const u = this.rotate(th, -1);
    return this.rotate([this.curvatures[0] * u[0]!, this.curvatures[1] * u[1]!], 1);
  },
};

export function referenceTrajectory(step: RefStep, steps: number, start: Vec = QUADRATIC.start): Vec[] {
  const out: Vec[] = [];
  let th = start;
  for (let t = 1; t <= steps; t++) {
    th = step(th, QUADRATIC.grad(th), t);
    out.push(th);
  }
  return out;
}

/** max |a − b| / max |b| over whole trajectories. */
export function trajectoryError(actual: Vec[], expected: Vec[]): number {
  let diff = 0;
  let scale = 0;
  expected.forEach((row, t) =>
    row.forEach((x, i) => {
      diff = Math.max(diff, Math.abs((actual[t]?.[i] ?? NaN) - x));
      scale = Math.max(scale, Math.abs(x));
    }),
  );
  return Number.isNaN(diff) ? Infinity : diff / scale;
}
