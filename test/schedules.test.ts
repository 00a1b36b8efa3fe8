import test from 'ava';
import { rules } from '../src/index.js';

const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;

test('SGDR restarts at T_0, T_0(1+T_mult), … and anneals from η_max to η_min within each period', (t) => {
  const s = rules.sgdr({ etaMax: 1, etaMin: 0.1, t0: 4, tMult: 2 });
  // Periods: [0,4), [4,12), [12,28)
  t.true(close(s(0), 1));
  t.true(close(s(2), 0.1 + 0.45 * (1 + Math.cos(Math.PI / 2))));
  t.true(close(s(4), 1), 'restart after T_0');
  t.true(close(s(8), 0.55), 'middle of the 8-step period');
  t.true(close(s(12), 1), 'restart after T_0 + T_0·T_mult');
  t.true(s(27) < 0.11 && s(27) > 0.1);
  t.throws(() => rules.sgdr({ etaMax: 1, t0: 0 }), { message: /t0 must be ≥ 1/ });
});

test('step, exponential, cosine and warm-up schedules', (t) => {
  t.is(rules.stepDecay({ initial: 1, factor: 0.5, every: 10 })(25), 0.25);
  t.true(close(rules.exponentialDecay({ initial: 2, decayRate: 0.5, decaySteps: 10 })(5), 2 * 0.5 ** 0.5));
  t.is(rules.exponentialDecay({ initial: 2, decayRate: 0.5, decaySteps: 10, staircase: true })(15), 1);
  const cos = rules.cosineDecay({ initial: 1, decaySteps: 10, final: 0.2 });
  t.true(close(cos(0), 1) && close(cos(5), 0.6) && close(cos(10), 0.2) && close(cos(50), 0.2));
  const warm = rules.linearWarmup({ warmupSteps: 4, then: 0.8 });
  t.deepEqual([0, 1, 2, 3, 4, 9].map(warm), [0, 0.2, 0.4, 0.6000000000000001, 0.8, 0.8]);
  t.is(rules.constant(0.3)(1000), 0.3);
});

test('schedules survive their JSON spec', (t) => {
  const s = rules.linearWarmup({ warmupSteps: 3, start: 0.01, then: rules.sgdr({ etaMax: 0.1, t0: 5, tMult: 2 }) });
  const revived = rules.scheduleFromSpec(JSON.parse(JSON.stringify(s.spec)));
  for (let step = 0; step < 40; step++) t.is(revived(step), s(step));
  t.throws(() => rules.scheduleFromSpec({ schedule: 'triangle' }), { message: /unknown schedule 'triangle'/ });
});
