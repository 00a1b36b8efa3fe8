/** Meta-validation bookkeeping shared by the meta-trainers: keep a copy of the meta-parameters that validated best. */
import * as tf from '@tensorflow/tfjs';
import type { MetaTrainReport } from '../learned/types.js';

export class BestSnapshot {
  private loss: number;
  private values: tf.Tensor[];
  /** Whether `values` holds an eligible snapshot yet (the first eligible offer is kept whatever its loss). */
  private kept: boolean;

  constructor(
    private readonly variables: readonly tf.Variable[],
    initialLoss: number,
    private readonly report: MetaTrainReport,
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

  /** Puts the best meta-parameters back into the variables. */
  restore(): void {
    this.variables.forEach((v, i) => v.assign(this.values[i]!));
  }

  dispose(): void {
    tf.dispose(this.values);
  }
}
