/**
 * The pool handler for ES perturbation pairs (esPairs.ts): for each unit, φ and the
 * truncation's start from the unit's bytes, then es.ts's `evaluatePair` (a whole pair,
 * the queue's jobs) or `evaluatePairSide` (one side, the local pool's units) — the code
 * the in-process path runs.
 */
import tf from '#tfjs';
import type { UnitHandler } from '../../pool/types.js';
import { treeTensors, type StateTree } from '../../rules/index.js';
import { evaluatePair, evaluatePairSide } from './es.js';
import { decodeTensor, decodeTree, type EsPairContext, type EsPairUnit, type EsSideUnit } from './esUnits.js';
import { openPerturbationWorker } from './perturbationWorker.js';

export async function openEsPairHandler(raw: unknown): Promise<UnitHandler> {
  const context = raw as EsPairContext;
  const worker = await openPerturbationWorker(context);
  return {
    async run(raw: unknown) {
      const unit = raw as EsPairUnit | EsSideUnit;
      const base = worker.setMetaParams(unit.key, unit.metaParams);
      const theta = decodeTensor(unit.theta) as tf.Tensor2D;
      const state: StateTree = decodeTree(unit.state);
      try {
        const from = { theta, state, step: unit.step };
        const args = { rule: worker.rule, problem: worker.problem(unit.seeds), task: worker.task, seeds: unit.seeds, from, variables: worker.variables, config: context.config, iteration: unit.iteration };
        return 'side' in unit ? { loss: await evaluatePairSide(args, base, unit.pair, unit.side) } : await evaluatePair(args, base, unit.pair);
      } finally {
        tf.dispose([...base, theta, ...treeTensors(state)]);
      }
    },
    dispose: () => worker.dispose(),
  };
}
