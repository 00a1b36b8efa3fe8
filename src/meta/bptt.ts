/**
 * Meta-training by truncated backpropagation through time (Andrychowicz et al.
 * 2016): unroll the learned rule for `unroll` steps on a batch of tasks, take the
 * meta-gradient of the meta-loss Σₜ wₜ f(θₜ) with respect to the meta-parameters
 * by `tf.variableGrads`, step Adam (with meta-gradient clipping), carry θ and the
 * rule's state into the next truncation, and draw fresh tasks every `horizon`
 * steps. The tape lives for one truncation only, so memory is bounded by the
 * truncation length, not the horizon.
 */
import * as tf from '@tensorflow/tfjs';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import type { LearnedOptimizer, MetaTrainReport, ProgressCallback } from '../learned/types.js';
import { adam, applyUpdates, chain, clipByGlobalNorm, treeLeaves, treeTensors, type StateTree, type UpdateRule } from '../rules/index.js';
import { toTfjsOptimizer } from '../rules/tfjsOptimizer.js';
import type { Problem, Task, TaskFamily } from '../tasks/types.js';
import { stopGradient } from './stopGradient.js';

export const BpttConfig = t.exact(
  t.partial({
    iterations: t.number,
    unroll: t.number,
    horizon: t.number,
    tasksPerIteration: t.number,
    metaLearningRate: t.number,
    clipNorm: t.number,
    metaLoss: t.keyof({ sum: null, log: null }),
    firstOrder: t.boolean,
    validateEvery: t.number,
    validationTasks: t.number,
  }),
);
export type BpttConfig = Required<t.TypeOf<typeof BpttConfig>>;

export const BPTT_DEFAULTS: BpttConfig = {
  iterations: 200,
  unroll: 20,
  horizon: 100,
  tasksPerIteration: 16,
  metaLearningRate: 0.01,
  clipNorm: 1,
  metaLoss: 'sum',
  firstOrder: true,
  validateEvery: 20,
  validationTasks: 16,
};

export function decodeBpttConfig(input: unknown, path = 'metaTrain'): BpttConfig {
  const decoded = BpttConfig.decode(input ?? {});
  if (isLeft(decoded)) throw new Error(`${path}: ${PathReporter.report(decoded).join('; ')}`);
  const extra = Object.keys((input ?? {}) as object).filter((k) => !(k in BPTT_DEFAULTS) && k !== 'method');
  if (extra.length > 0) throw new Error(`${path}.${extra[0]}: unknown option; expected one of ${Object.keys(BPTT_DEFAULTS).join(', ')}`);
  return { ...BPTT_DEFAULTS, ...decoded.right };
}

/** The per-step objective: raw loss ('sum', the paper's Σ f), or log of the loss above the optimum ('log', scale-free). */
function objective(task: Task, rows: tf.Tensor1D, kind: BpttConfig['metaLoss']): tf.Tensor1D {
  if (kind === 'sum') return rows;
  return tf.log(tf.add(tf.relu(tf.sub(rows, task.optimum ?? 0)), 1e-8)) as tf.Tensor1D;
}

/** Loss rows at θ and their gradient, the gradient optionally cut from the meta-tape. */
function lossAndGrad(problem: Problem, theta: tf.Tensor2D, step: number, firstOrder: boolean): { rows: tf.Tensor1D; grad: tf.Tensor2D } {
  let rows: tf.Tensor1D | undefined;
  const grad = tf.grad((x: tf.Tensor) => {
    rows = problem.loss(x as tf.Tensor2D, step);
    return tf.sum(rows);
  })(theta) as tf.Tensor2D;
  return { rows: rows!, grad: firstOrder ? stopGradient(grad) : grad };
}

interface Unrolled {
  theta: tf.Tensor2D;
  state: StateTree;
  /** Σ over the unrolled steps of the mean objective over rows. */
  metaLoss: tf.Scalar;
}

/** Unrolls `steps` steps from (θ, state); differentiable w.r.t. the rule's meta-parameters. */
export function unroll(rule: UpdateRule, problem: Problem, task: Task, from: { theta: tf.Tensor2D; state: StateTree; step: number }, steps: number, config: Pick<BpttConfig, 'metaLoss' | 'firstOrder'>): Unrolled {
  let theta = from.theta;
  let state = from.state;
  const terms: tf.Tensor[] = [];
  for (let k = 0; k < steps; k++) {
    const step = from.step + k;
    const { rows, grad } = lossAndGrad(problem, theta, step, config.firstOrder);
    const out = rule.update({ grads: [grad], params: [theta], loss: rows, step }, state);
    theta = applyUpdates([theta], out.updates)[0] as tf.Tensor2D;
    state = out.state;
    terms.push(tf.mean(objective(task, problem.loss(theta, step + 1), config.metaLoss)));
  }
  return { theta, state, metaLoss: tf.addN(terms) as tf.Scalar };
}

/** Mean objective of the frozen rule over `steps` steps on the given seeds (no tape). */
export async function evaluateRule(rule: UpdateRule, task: Task, seeds: number[], steps: number, config: Pick<BpttConfig, 'metaLoss'>): Promise<number> {
  const problem = task.instantiate(seeds);
  let theta = tf.clone(problem.start);
  let state = rule.init([theta]);
  let total = 0;
  try {
    for (let step = 0; step < steps; step++) {
      const next = tf.tidy(() => {
        const r = unroll(rule, problem, task, { theta, state, step }, 1, { metaLoss: config.metaLoss, firstOrder: true });
        return { theta: r.theta, state: r.state, metaLoss: r.metaLoss };
      });
      total += (await next.metaLoss.data())[0] as number;
      tf.dispose([theta, ...treeTensors(state), next.metaLoss]);
      theta = next.theta;
      state = next.state;
    }
  } finally {
    tf.dispose([theta, ...treeTensors(state)]);
    problem.dispose();
  }
  return Number.isFinite(total) ? total / steps : Infinity;
}

export async function metaTrainBptt(optimizer: LearnedOptimizer, family: TaskFamily, config: BpttConfig, onProgress?: ProgressCallback): Promise<MetaTrainReport> {
  const started = performance.now();
  const task = family.task;
  const variables = [...optimizer.metaParams.values()];
  const metaOptimizer = toTfjsOptimizer(chain(clipByGlobalNorm(config.clipNorm), adam({ learningRate: config.metaLearningRate })));
  const rule = optimizer.rule();
  const validationSeeds = Array.from({ length: config.validationTasks }, (_, i) => family.metaValidationSeed(i));
  const report: MetaTrainReport = { method: `truncated BPTT (${config.firstOrder ? 'first-order' : 'second-order'})`, curve: [], validation: [], bestIteration: 0, wallMs: 0 };

  let best = { loss: await evaluateRule(rule, task, validationSeeds, config.horizon, config), values: variables.map((v) => tf.clone(v)) };
  report.validation.push({ iteration: 0, loss: best.loss });

  let drawn = 0;
  let problem: Problem | undefined;
  let theta: tf.Tensor2D | undefined;
  let state: StateTree = [];
  let step = 0;
  const freshTasks = () => {
    if (problem !== undefined) problem.dispose();
    tf.dispose([...(theta === undefined ? [] : [theta]), ...treeTensors(state)]);
    const seeds = Array.from({ length: config.tasksPerIteration }, () => family.metaTrainSeed(drawn++));
    problem = task.instantiate(seeds);
    theta = tf.clone(problem.start);
    state = rule.init([theta]);
    step = 0;
  };

  try {
    freshTasks();
    for (let iteration = 1; iteration <= config.iterations; iteration++) {
      if (step >= config.horizon) freshTasks();
      let carried: { theta: tf.Tensor2D; state: StateTree } | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const r = unroll(rule, problem!, task, { theta: theta!, state, step }, config.unroll, config);
        carried = { theta: tf.keep(r.theta), state: r.state };
        treeLeaves(r.state).forEach((leaf) => tf.keep(leaf.tensor));
        return tf.div(r.metaLoss, config.unroll) as tf.Scalar;
      }, variables);
      const metaLoss = (await value.data())[0] as number;
      value.dispose();
      if (Number.isFinite(metaLoss)) {
        metaOptimizer.applyGradients(grads);
        tf.dispose([theta!, ...treeTensors(state)]);
        theta = carried!.theta;
        state = carried!.state;
        step += config.unroll;
      } else {
        // The unroll blew up (a bad φ or a hard task): drop it and start new tasks.
        tf.dispose([carried!.theta, ...treeTensors(carried!.state)]);
        step = config.horizon;
      }
      tf.dispose(Object.values(grads));
      const point = { iteration, metaLoss, wallMs: performance.now() - started };
      report.curve.push(point);
      onProgress?.(point);

      if (iteration % config.validateEvery === 0 || iteration === config.iterations) {
        const loss = await evaluateRule(rule, task, validationSeeds, config.horizon, config);
        report.validation.push({ iteration, loss });
        if (loss < best.loss) {
          tf.dispose(best.values);
          best = { loss, values: variables.map((v) => tf.clone(v)) };
          report.bestIteration = iteration;
        }
      }
    }
    // Keep the meta-parameters that did best on held-out tasks.
    variables.forEach((v, i) => v.assign(best.values[i]!));
  } finally {
    tf.dispose(best.values);
    problem?.dispose();
    tf.dispose([...(theta === undefined ? [] : [theta]), ...treeTensors(state)]);
    metaOptimizer.dispose();
  }
  report.wallMs = performance.now() - started;
  return report;
}
