/**
 * The pool handler for ES perturbation pairs (esPairs.ts): a worker makes the same
 * backend, an optimizer of the same kind and the same task once, keeps the problem
 * of the current task seeds, and for each unit sets φ and the truncation's start from
 * the unit's bytes and runs es.ts's `evaluatePair` — the code the in-process path runs.
 */
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../backend/setup.js';
import '../../learned/index.js';
import { createLearnedOptimizer } from '../../learned/registry.js';
import type { UnitHandler } from '../../pool/types.js';
import { treeTensors, type StateTree } from '../../rules/index.js';
import { taskFromSpec } from '../../tasks/registry.js';
import type { Problem } from '../../tasks/types.js';
import { evaluatePair } from './es.js';
import { decodeTensor, decodeTree, type EsPairContext, type EsPairUnit } from './esPairs.js';

export async function openEsPairHandler(raw: unknown): Promise<UnitHandler> {
  const context = raw as EsPairContext;
  await setupBackend(context.backend);
  const optimizer = createLearnedOptimizer(context.kind, context.hyperParams);
  const task = taskFromSpec(context.task.spec, 'metaTrain.task', context.task.context);
  await task.prepare?.();
  const rule = optimizer.rule();
  const names = [...optimizer.metaParams.keys()];
  const variables = [...optimizer.metaParams.values()];
  let current: { seeds: string; problem: Problem } | undefined;

  return {
    async run(raw: unknown) {
      const unit = raw as EsPairUnit;
      if (unit.metaParams.length !== names.length || unit.metaParams.some((p, i) => p.name !== names[i])) {
        throw new Error(`${unit.key}: the unit's meta-parameters (${unit.metaParams.map((p) => p.name).join(', ')}) are not this '${context.kind}' optimizer's (${names.join(', ')})`);
      }
      const seeds = unit.seeds.join(',');
      if (current?.seeds !== seeds) {
        current?.problem.dispose();
        current = { seeds, problem: task.instantiate(unit.seeds) };
      }
      const base = unit.metaParams.map((p) => decodeTensor(p.value));
      const theta = decodeTensor(unit.theta) as tf.Tensor2D;
      const state: StateTree = decodeTree(unit.state);
      try {
        variables.forEach((v, i) => v.assign(base[i]!));
        const from = { theta, state, step: unit.step };
        return await evaluatePair({ rule, problem: current.problem, task, seeds: unit.seeds, from, variables, config: context.config, iteration: unit.iteration }, base, unit.pair);
      } finally {
        tf.dispose([...base, theta, ...treeTensors(state)]);
      }
    },
    dispose() {
      current?.problem.dispose();
      current = undefined;
      optimizer.dispose();
    },
  };
}
