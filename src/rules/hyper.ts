/** Hyper-parameters that may be numbers, scalar tensors, or schedules. */
import type * as tf from '@tensorflow/tfjs';
import { isSchedule, type Schedule } from './schedules.js';
import type { ScheduleSpec } from './spec.js';
import type { HyperParam } from './types.js';

export type StepSize = HyperParam | Schedule;

/** The value for this step: a number, or the scalar tensor itself (so gradients flow through it). */
export function valueAt(value: StepSize, step: number): number | tf.Scalar {
  return isSchedule(value) ? value(step) : value;
}

/**
 * The JSON form of a hyper-parameter, or `undefined` for a tensor: a tensor's value
 * can change under the optimizer (a controller sets it), so it has no fixed config.
 */
export function hyperSpec(value: StepSize): number | ScheduleSpec | undefined {
  if (typeof value === 'number') return value;
  if (isSchedule(value)) return value.spec;
  return undefined;
}
