/** Meta-training bookkeeping shared by the meta-trainers: the curve, validation on schedule, and a copy of the meta-parameters that validated best. */
import tf from '#tfjs';
import type { MetaTrainReport, ProgressCallback } from '../learned/types.js';

export interface ValidationSchedule {
  /** Validate every this many iterations, and after `last`. */
  every: number;
  last: number;
  validate(): Promise<number>;
  /** false: this iteration's validation is recorded but its snapshot may not be selected (default true). */
  eligible?: boolean;
  onProgress?: ProgressCallback;
}

export class BestSnapshot {
  private loss: number;
  private values: tf.Tensor[];
  /** Whether `values` holds an eligible snapshot yet (the first eligible offer is kept whatever its loss). */
  private kept: boolean;

  constructor(
    private readonly variables: readonly tf.Variable[],
    initialLoss: number,
    private readonly report: MetaTrainReport,
    /** When meta-training started (the curve's wall times count from it). */
    private readonly started = performance.now(),
    /** false: the starting meta-parameters are recorded but never selected (a trainer that selects only among later snapshots). */
    initialEligible = true,
  ) {
    this.loss = initialLoss;
    this.kept = initialEligible;
    this.values = variables.map((v) => tf.clone(v));
    report.validation.push({ iteration: 0, loss: initialLoss });
  }

  /** Records a validation and, if `eligible`, copies the meta-parameters when they are the best so far. */
  offer(iteration: number, loss: number, eligible = true): void {
    this.report.validation.push({ iteration, loss });
    if (eligible && (!this.kept || loss < this.loss)) {
      tf.dispose(this.values);
      this.values = this.variables.map((v) => tf.clone(v));
      this.loss = loss;
      this.kept = true;
      this.report.bestIteration = iteration;
    }
  }

  /** One iteration's bookkeeping: its point on the curve (passed to `onProgress`), then validation when it is due. */
  async iteration(iteration: number, metaLoss: number, schedule: ValidationSchedule): Promise<void> {
    const point = { iteration, metaLoss, wallMs: performance.now() - this.started };
    this.report.curve.push(point);
    schedule.onProgress?.(point);
    if (iteration % schedule.every === 0 || iteration === schedule.last) this.offer(iteration, await schedule.validate(), schedule.eligible ?? true);
  }

  /** Puts the best meta-parameters back into the variables and records the wall time. */
  finish(): void {
    this.variables.forEach((v, i) => v.assign(this.values[i]!));
    this.report.wallMs = performance.now() - this.started;
  }

  dispose(): void {
    tf.dispose(this.values);
  }
}
