/**
 * A learned optimizer as a `tf.Optimizer` that survives `model.save(…, {includeOptimizer: true})`
 * and `tf.loadLayersModel`: its config is the kind, version, options and mode (enough to rebuild an
 * untrained instance through the learned-optimizer registry), and its weights carry, besides the
 * rule's state, the meta-parameters φ (online modes change them as they run, so a checkpoint
 * reference would be stale) and any state an online learner keeps outside the rule (its own
 * optimizers' moments). A reloaded optimizer owns the learned optimizer it rebuilt and frees it.
 */
import tf from '#tfjs';
import { RuleOptimizer, toTfjsOptimizer as ruleTfjsOptimizer } from '../rules/tfjsOptimizer.js';
import type { UpdateRule } from '../rules/index.js';
import { firstNonFinite } from './integrity.js';
import { createLearnedOptimizer } from './kinds.js';
import type { JsonValue, LearnedOptimizer, OutsideState } from './types.js';

export type { OutsideState } from './types.js';
type NamedTensor = { name: string; tensor: tf.Tensor };
export type LearnedMode = 'frozen' | 'online';

/** Weight-name prefixes; rule-state paths are built from state-tree keys, none of which contain ':'. */
const META = 'learned:meta/';
const OUTSIDE = 'learned:outside/';

export class LearnedTfjsOptimizer extends RuleOptimizer {
  static override readonly className: string = 'AlphaOptLearnedOptimizer';
  /** True when this optimizer rebuilt `learned` itself (fromConfig) and so must dispose it. */
  private ownsLearned = false;

  constructor(
    readonly learned: LearnedOptimizer,
    readonly mode: LearnedMode,
    rule: UpdateRule,
    private readonly outside?: OutsideState,
  ) {
    super(rule);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { kind: this.learned.kind, version: this.learned.version, mode: this.mode, hyperParams: this.learned.hyperParams as tf.serialization.ConfigDict };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    _cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const where = `${LearnedTfjsOptimizer.className}.fromConfig`;
    const { kind, version, mode, hyperParams } = config as Record<string, unknown>;
    if (typeof kind !== 'string') throw new Error(`${where}: config.kind must name a learned optimizer kind, got ${JSON.stringify(kind)}`);
    if (mode !== 'frozen' && mode !== 'online') throw new Error(`${where}: config.mode must be 'frozen' or 'online', got ${JSON.stringify(mode)}`);
    if (typeof hyperParams !== 'object' || hyperParams === null || Array.isArray(hyperParams)) {
      throw new Error(`${where}: config.hyperParams must be an object of options`);
    }
    const learned = createLearnedOptimizer(kind, hyperParams as Record<string, JsonValue>);
    if (version !== learned.version) {
      learned.dispose();
      throw new Error(`${where}: the model was saved with '${kind}' version ${JSON.stringify(version)}; this build reads version ${learned.version}`);
    }
    let optimizer: LearnedTfjsOptimizer;
    try {
      optimizer = learnedTfjsOptimizer(learned, mode);
    } catch (error) {
      learned.dispose();
      throw error;
    }
    optimizer.ownsLearned = true;
    return optimizer as unknown as T;
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const meta = [...this.learned.metaParams.entries()].map(([name, variable]) => ({ name: `${META}${name}`, tensor: variable as tf.Tensor }));
    const outside = this.outside === undefined ? [] : (await this.outside.getWeights()).map(({ name, tensor }) => ({ name: `${OUTSIDE}${name}`, tensor }));
    return [...(await super.getWeights()), ...meta, ...outside];
  }

  override async setWeights(weights: NamedTensor[]): Promise<void> {
    const meta = weights.filter((w) => w.name.startsWith(META));
    const outside = weights.filter((w) => w.name.startsWith(OUTSIDE));
    for (const { name, tensor } of meta) {
      const key = name.slice(META.length);
      const target = this.learned.metaParams.get(key);
      if (target === undefined) throw new Error(`setWeights: meta-parameter '${key}' does not exist in a '${this.learned.kind}' optimizer`);
      if (!tf.util.arraysEqual(target.shape, tensor.shape)) {
        throw new Error(`setWeights: meta-parameter '${key}' has shape [${tensor.shape}] but this '${this.learned.kind}' optimizer needs [${target.shape}]`);
      }
      const bad = firstNonFinite(await tensor.data());
      if (bad !== undefined) throw new Error(`setWeights: meta-parameter '${key}' of the '${this.learned.kind}' optimizer holds ${bad.value} at index ${bad.index}; the saved optimizer weights are damaged`);
      target.assign(tensor);
    }
    if (outside.length > 0) {
      if (this.outside === undefined) throw new Error(`setWeights: this '${this.learned.kind}' optimizer (${this.mode}) keeps no learner state, but ${outside.length} such weights were given`);
      await this.outside.setWeights(outside.map(({ name, tensor }) => ({ name: name.slice(OUTSIDE.length), tensor })));
    }
    await super.setWeights(weights.filter((w) => !w.name.startsWith(META) && !w.name.startsWith(OUTSIDE)));
  }

  override dispose(): void {
    super.dispose();
    if (this.ownsLearned) this.learned.dispose();
  }
}

tf.serialization.registerClass(LearnedTfjsOptimizer);

/**
 * The tfjs optimizer of `learned` in `mode` ('frozen': φ fixed; 'online': φ keeps learning during
 * the run): its rule (or online rule), plus the state an online learner keeps outside that rule.
 */
export function learnedTfjsOptimizer(learned: LearnedOptimizer, mode: LearnedMode): LearnedTfjsOptimizer {
  if (mode === 'frozen') return new LearnedTfjsOptimizer(learned, mode, learned.rule());
  if (learned.onlineRule === undefined) throw new Error(`the '${learned.kind}' optimizer has no online mode; use mode 'frozen'`);
  const online = learned.onlineRule();
  return new LearnedTfjsOptimizer(learned, mode, online, online.outside);
}

/** A `tf.Optimizer` for `model.fit`: of an update rule, or of a learned optimizer in `mode`. */
export function toTfjsOptimizer(rule: UpdateRule): RuleOptimizer;
export function toTfjsOptimizer(learned: LearnedOptimizer, mode: LearnedMode): LearnedTfjsOptimizer;
export function toTfjsOptimizer(of: UpdateRule | LearnedOptimizer, mode?: LearnedMode): RuleOptimizer {
  if ('metaParams' in of) {
    if (mode === undefined) throw new Error(`toTfjsOptimizer: a '${of.kind}' learned optimizer needs a mode, 'frozen' or 'online'`);
    return learnedTfjsOptimizer(of, mode);
  }
  return ruleTfjsOptimizer(of);
}
