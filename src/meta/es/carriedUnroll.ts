/**
 * The step ES and PES share each truncation: the loop's own θ advances under the
 * unperturbed φ (its meta-loss is the curve's point and validation's start) while
 * the population is evaluated. When the population runs in other processes
 * (`elsewhere`), this process unrolls meanwhile instead of waiting; otherwise the
 * population goes first, as the in-process path always did.
 */
import tf from '#tfjs';
import { treeTensors } from '../../rules/index.js';
import { unrollStepwise } from '../objective.js';
import type { Estimate, EstimateArgs } from '../estimator.js';

export interface CarriedUnroll<L> {
  losses: L;
  metaLoss: number;
  carried: NonNullable<Estimate['carried']>;
}

export async function alongsideCarriedUnroll<L>(args: EstimateArgs, elsewhere: boolean, population: () => Promise<L>): Promise<CarriedUnroll<L>> {
  const { rule, problem, task, from, config } = args;
  const carry = async () => {
    const r = unrollStepwise(rule, problem, task, from, config.unroll, config);
    const metaLoss = (await r.metaLoss.data())[0] as number;
    r.metaLoss.dispose();
    return { metaLoss, carried: { theta: r.theta, state: r.state } };
  };
  if (!elsewhere) {
    const losses = await population();
    return { losses, ...(await carry()) };
  }
  const pending = population();
  // Let the evaluator encode and send its work (microtasks) before this process blocks on the unroll below.
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  let own: Awaited<ReturnType<typeof carry>>;
  try {
    own = await carry();
  } catch (error) {
    pending.catch(() => undefined);
    throw error;
  }
  try {
    return { losses: await pending, ...own };
  } catch (error) {
    tf.dispose([own.carried.theta, ...treeTensors(own.carried.state)]);
    throw error;
  }
}
