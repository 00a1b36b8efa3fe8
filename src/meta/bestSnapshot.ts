/** Meta-validation bookkeeping shared by the meta-trainers: keep a copy of the meta-parameters that validated best. */
import * as tf from '@tensorflow/tfjs';
import type { MetaTrainReport } from '../learned/types.js';

export class BestSnapshot {
  private loss: number;
  private values: tf.Tensor[];

  constructor(
    private readonly variables: readonly tf.Variable[],
    initialLoss: number,
    private readonly report: MetaTrainReport,
  ) {
    this.loss = initialLoss;
    this.values = variables.map((v) => tf.clone(v));
    report.validation.push({ iteration: 0, loss: initialLoss });
  }

  /** Records a validation and copies the meta-parameters if they are the best so far. */
  offer(iteration: number, loss: number): void {
    this.report.validation.push({ iteration, loss });
    if (loss < this.loss) {
      tf.dispose(this.values);
      this.values = this.variables.map((v) => tf.clone(v));
      this.loss = loss;
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
