/**
 * Step-size schedules: step index (0-based) → multiplier value. Each carries its
 * JSON spec so optimizers that use one remain serialisable.
 */
import type { ScheduleSpec } from './spec.js';

export interface Schedule {
  (step: number): number;
  readonly spec: ScheduleSpec;
}

function schedule(spec: ScheduleSpec, fn: (step: number) => number): Schedule {
  return Object.assign((step: number) => fn(step), { spec });
}

export function isSchedule(value: unknown): value is Schedule {
  return typeof value === 'function' && typeof (value as Partial<Schedule>).spec === 'object';
}

export function constant(value: number): Schedule {
  return schedule({ schedule: 'constant', value }, () => value);
}

/** value · factor^⌊step / every⌋ ("step decay"). */
export function stepDecay(options: { initial: number; factor: number; every: number }): Schedule {
  const { initial, factor, every } = options;
  return schedule({ schedule: 'stepDecay', initial, factor, every }, (step) => initial * factor ** Math.floor(step / every));
}

/** initial · decayRate^(step / decaySteps), or ^⌊…⌋ when `staircase`. */
export function exponentialDecay(options: { initial: number; decayRate: number; decaySteps: number; staircase?: boolean }): Schedule {
  const { initial, decayRate, decaySteps } = options;
  const staircase = options.staircase ?? false;
  return schedule({ schedule: 'exponentialDecay', initial, decayRate, decaySteps, staircase }, (step) => {
    const p = step / decaySteps;
    return initial * decayRate ** (staircase ? Math.floor(p) : p);
  });
}

/** Half a cosine from `initial` to `final` over `decaySteps`, then `final`. */
export function cosineDecay(options: { initial: number; decaySteps: number; final?: number }): Schedule {
  const { initial, decaySteps } = options;
  const final = options.final ?? 0;
  return schedule({ schedule: 'cosineDecay', initial, decaySteps, final }, (step) => {
    const progress = Math.min(step, decaySteps) / decaySteps;
    return final + 0.5 * (initial - final) * (1 + Math.cos(Math.PI * progress));
  });
}

/**
 * SGDR, cosine annealing with warm restarts (Loshchilov & Hutter 2017):
 * η = η_min + ½(η_max − η_min)(1 + cos(π·T_cur/T_i)), where the i-th period lasts
 * T_i = T_0·T_mult^i steps and T_cur counts steps since the last restart.
 */
export function sgdr(options: { etaMax: number; etaMin?: number; t0: number; tMult?: number }): Schedule {
  const { etaMax, t0 } = options;
  const etaMin = options.etaMin ?? 0;
  const tMult = options.tMult ?? 1;
  if (!(t0 >= 1)) throw new Error(`sgdr: t0 must be ≥ 1 step (got ${t0})`);
  if (!(tMult >= 1)) throw new Error(`sgdr: tMult must be ≥ 1 (got ${tMult})`);
  return schedule({ schedule: 'sgdr', etaMax, etaMin, t0, tMult }, (step) => {
    let tCur = step;
    let period = t0;
    while (tCur >= period) {
      tCur -= period;
      period *= tMult;
    }
    return etaMin + 0.5 * (etaMax - etaMin) * (1 + Math.cos((Math.PI * tCur) / period));
  });
}

/** Linear ramp from `start` to the value of `then` over `warmupSteps`, then `then` (shifted by the warm-up). */
export function linearWarmup(options: { warmupSteps: number; start?: number; then: Schedule | number }): Schedule {
  const { warmupSteps } = options;
  const start = options.start ?? 0;
  const after = typeof options.then === 'number' ? constant(options.then) : options.then;
  return schedule({ schedule: 'linearWarmup', warmupSteps, start, then: after.spec }, (step) => {
    if (step >= warmupSteps) return after(step - warmupSteps);
    return start + ((after(0) - start) * step) / warmupSteps;
  });
}

const FACTORIES: Record<string, (spec: ScheduleSpec) => Schedule> = {
  constant: (s) => constant(s['value'] as number),
  stepDecay: (s) => stepDecay(s as never),
  exponentialDecay: (s) => exponentialDecay(s as never),
  cosineDecay: (s) => cosineDecay(s as never),
  sgdr: (s) => sgdr(s as never),
  linearWarmup: (s) => linearWarmup({ ...(s as never as { warmupSteps: number; start: number }), then: scheduleFromSpec(s['then'] as ScheduleSpec) }),
};

export function scheduleFromSpec(spec: ScheduleSpec): Schedule {
  const factory = FACTORIES[spec.schedule];
  if (factory === undefined) {
    throw new Error(`unknown schedule '${spec.schedule}'; known: ${Object.keys(FACTORIES).join(', ')}`);
  }
  return factory(spec);
}
