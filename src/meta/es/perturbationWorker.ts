/**
 * What the pool handlers of ES pairs and PES particles share: in a worker (or this
 * process, as one of the workers) the same backend, an optimizer of the same kind and
 * the same task, made once; the problem of the current task seeds kept between units;
 * φ decoded from a unit's exact bytes into this optimizer's own variables.
 */
import tf from '#tfjs';
import { setupBackend } from '../../backend/setup.js';
import '../../learned/index.js';
import { createLearnedOptimizer } from '../../learned/registry.js';
import type { UpdateRule } from '../../rules/index.js';
import { taskFromSpec } from '../../tasks/registry.js';
import type { Problem, Task } from '../../tasks/types.js';
import { decodeTensor, type EncodedTensor, type EsPairContext } from './esUnits.js';

export interface PerturbationWorker {
  rule: UpdateRule;
  task: Task;
  variables: tf.Variable[];
  /** The problem of these task seeds (the last one is kept: a truncation's units share it). */
  problem(seeds: number[]): Problem;
  /** φ from a unit, checked against this optimizer's meta-parameters: the variables are set to it, and a copy returned (free it). */
  setMetaParams(unitKey: string, metaParams: Array<{ name: string; value: EncodedTensor }>): tf.Tensor[];
  dispose(): void;
}

export async function openPerturbationWorker(context: EsPairContext): Promise<PerturbationWorker> {
  await setupBackend(context.backend);
  const optimizer = createLearnedOptimizer(context.kind, context.hyperParams);
  const task = taskFromSpec(context.task.spec, 'metaTrain.task', context.task.context);
  await task.prepare?.();
  const names = [...optimizer.metaParams.keys()];
  const variables = [...optimizer.metaParams.values()];
  let current: { seeds: string; problem: Problem } | undefined;
  return {
    rule: optimizer.rule(),
    task,
    variables,
    problem(seeds) {
      const key = seeds.join(',');
      if (current?.seeds !== key) {
        current?.problem.dispose();
        current = { seeds: key, problem: task.instantiate(seeds) };
      }
      return current.problem;
    },
    setMetaParams(unitKey, metaParams) {
      if (metaParams.length !== names.length || metaParams.some((p, i) => p.name !== names[i])) {
        throw new Error(`${unitKey}: the unit's meta-parameters (${metaParams.map((p) => p.name).join(', ')}) are not this '${context.kind}' optimizer's (${names.join(', ')})`);
      }
      const base = metaParams.map((p) => decodeTensor(p.value));
      variables.forEach((v, i) => v.assign(base[i]!));
      return base;
    },
    dispose() {
      current?.problem.dispose();
      current = undefined;
      optimizer.dispose();
    },
  };
}
