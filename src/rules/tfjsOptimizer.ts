/**
 * An update rule as a `tf.Optimizer`: usable in `model.compile({optimizer})`,
 * `model.fit`, and custom loops with `optimizer.minimize(f)`.
 *
 * State: tfjs's own optimizers keep state by variable *position*, so an instance
 * silently mixes state if it is used on two variable lists. This adapter binds its
 * state to the first variable list it updates (by variable names) and throws a
 * clear error when handed a different list — use one optimizer per variable list.
 * The loss of `minimize` is passed to the rule (learned optimizers read it);
 * `applyGradients` called directly passes none.
 */
import tf from '#tfjs';
import { isLeft } from '#cjs/fp-ts-either';
import { inPlaceApply } from './inPlace.js';
import { ruleFromSpec } from './registry.js';
import { RuleSpec } from './spec.js';
import { treeLeaves, treeMap } from './tree.js';
import type { StateTree, UpdateRule } from './types.js';

/** tfjs's (unexported) shape of a named weight or gradient. */
type NamedTensor = { name: string; tensor: tf.Tensor };

interface BoundState {
  variableNames: string[];
  /** The rule's state tree, with every leaf held in a non-trainable tf.Variable. */
  tree: StateTree;
}

export class RuleOptimizer extends tf.Optimizer {
  static readonly className: string = 'AlphaOptRuleOptimizer';

  private bound: BoundState | undefined;
  /** Weights given to setWeights before the first update; applied when state is created. */
  private pending: Map<string, tf.Tensor> | undefined;
  private currentLoss: tf.Scalar | undefined;

  constructor(readonly rule: UpdateRule) {
    super();
  }

  override minimize(f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    const { value, grads } = this.computeGradients(f, varList);
    this.currentLoss = value;
    try {
      this.applyGradients(varList === undefined ? grads : varList.map((v) => ({ name: v.name, tensor: grads[v.name] as tf.Tensor })));
    } finally {
      this.currentLoss = undefined;
      tf.dispose(grads);
    }
    if (returnCost) return value;
    value.dispose();
    return null;
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const named = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => ({ name, tensor }))
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] as tf.Tensor }));
    const variables = named.map(({ name }) => {
      const variable = tf.engine().registeredVariables[name];
      if (variable === undefined) throw new Error(`applyGradients: no variable named '${name}' is registered`);
      return variable;
    });
    const bound = this.bind(variables);
    const loss = this.currentLoss === undefined ? {} : { loss: this.currentLoss };
    // The rule's in-place step where it has one (rules.adam on wasm): the same numbers, with no update tensors or new state.
    const inPlace = inPlaceApply(this.rule);
    if (inPlace !== undefined && named.every(({ tensor }) => tensor != null)) {
      if (inPlace({ grads: named.map(({ tensor }) => tensor), params: variables, step: this.iterations, ...loss }, bound.tree)) {
        this.incrementIterations();
        return;
      }
    }
    tf.tidy(() => {
      // A variable the loss does not depend on gets a zero gradient (tfjs skips it instead).
      const grads = named.map(({ tensor }, i) => tensor ?? tf.zerosLike(variables[i] as tf.Variable));
      const input = { grads, params: variables, step: this.iterations, ...loss };
      const { updates, state } = this.rule.update(input, bound.tree);
      const targets = treeLeaves(bound.tree);
      const values = treeLeaves(state);
      if (values.length !== targets.length) throw new Error('update rule changed the structure of its state between steps');
      targets.forEach((leaf, i) => (leaf.tensor as tf.Variable).assign(values[i]!.tensor));
      variables.forEach((v, i) => v.assign(tf.add(v, updates[i] as tf.Tensor)));
    });
    this.incrementIterations();
  }

  private bind(variables: tf.Variable[]): BoundState {
    const names = variables.map((v) => v.name);
    if (this.bound !== undefined) {
      if (names.length !== this.bound.variableNames.length || names.some((n, i) => n !== this.bound!.variableNames[i])) {
        throw new Error(
          `this optimizer's state belongs to variables [${this.bound.variableNames.join(', ')}] but it was asked to update ` +
            `[${names.join(', ')}]; create one optimizer per variable list`,
        );
      }
      return this.bound;
    }
    // Built outside tidy: the leaves become variables, which tidy would not free anyway,
    // and the intermediate init tensors are disposed right after.
    const initial = this.rule.init(variables);
    const tree = treeMap(initial, (leaf, path) => {
        const restored = this.pending?.get(path);
        if (restored !== undefined && !tf.util.arraysEqual(restored.shape, leaf.shape)) {
          throw new Error(`setWeights: optimizer weight '${path}' has shape [${restored.shape}] but the state needs [${leaf.shape}]`);
        }
        return tf.variable(restored ?? leaf, false);
    });
    tf.dispose(treeLeaves(initial).map((l) => l.tensor));
    if (this.pending !== undefined) tf.dispose([...this.pending.values()]);
    this.pending = undefined;
    const bound = { variableNames: names, tree };
    this.bound = bound;
    return bound;
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const leaves = this.bound === undefined ? [] : treeLeaves(this.bound.tree).map(({ path, tensor }) => ({ name: path, tensor }));
    return [await this.saveIterations(), ...leaves];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    if (this.bound === undefined) {
      if (this.pending !== undefined) tf.dispose([...this.pending.values()]);
      this.pending = new Map(rest.map(({ name, tensor }) => [name, tf.clone(tensor)]));
      return;
    }
    const byName = new Map(rest.map(({ name, tensor }) => [name, tensor]));
    for (const { path, tensor } of treeLeaves(this.bound.tree)) {
      const value = byName.get(path);
      if (value === undefined) throw new Error(`setWeights: no value for optimizer weight '${path}'`);
      (tensor as tf.Variable).assign(value);
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    if (this.rule.spec === undefined) {
      throw new Error(
        'this optimizer cannot be serialised: its rule has no JSON spec — a hyper-parameter given as a tensor, or a hand-written rule. ' +
          'Give hyper-parameters as numbers or schedules; for a learned optimizer use toTfjsOptimizer(learned, mode), which saves and reloads.',
      );
    }
    return { rule: this.rule.spec as unknown as tf.serialization.ConfigDictValue };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const spec = RuleSpec.decode(config['rule']);
    if (isLeft(spec)) throw new Error(`${RuleOptimizer.className}.fromConfig: config.rule is not a rule spec`);
    return new cls(ruleFromSpec(spec.right));
  }

  override dispose(): void {
    if (this.bound !== undefined) tf.dispose(treeLeaves(this.bound.tree).map((l) => l.tensor));
    if (this.pending !== undefined) tf.dispose([...this.pending.values()]);
    this.bound = undefined;
    this.pending = undefined;
    super.dispose();
  }
}

tf.serialization.registerClass(RuleOptimizer);

export function toTfjsOptimizer(rule: UpdateRule): RuleOptimizer {
  return new RuleOptimizer(rule);
}

/** θ + u for each parameter (for custom and unrolled loops). */
export function applyUpdates(params: readonly tf.Tensor[], updates: readonly tf.Tensor[]): tf.Tensor[] {
  return params.map((p, i) => tf.add(p, updates[i] as tf.Tensor));
}
