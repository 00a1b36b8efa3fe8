/** Composition: each rule transforms the previous rule's updates (optax's `chain`). */
import { RuleOptionError } from './options.js';
import type { RuleSpec } from './spec.js';
import type { StateTree, UpdateRule } from './types.js';

export function chain(...rules: UpdateRule[]): UpdateRule<StateTree[]> {
  rules.forEach((rule: unknown, i) => {
    const r = rule as Partial<UpdateRule> | null;
    if (typeof r !== 'object' || r === null || typeof r.init !== 'function' || typeof r.update !== 'function') {
      throw new RuleOptionError('chain', undefined, `argument ${i} is not an update rule (an object with init and update), got ${rule === null ? 'null' : typeof rule}`);
    }
  });
  const specs = rules.map((r) => r.spec);
  const spec: RuleSpec | undefined = specs.every((s): s is RuleSpec => s !== undefined) ? { rule: 'chain', options: { rules: specs } } : undefined;
  return {
    ...(spec === undefined ? {} : { spec }),
    ...(rules.some((rule) => rule.mixesCoordinates === true) ? { mixesCoordinates: true } : {}),
    init: (params) => rules.map((rule) => rule.init(params)),
    update(input, state) {
      let grads = input.grads;
      const next: StateTree[] = [];
      rules.forEach((rule, i) => {
        const out = rule.update({ ...input, grads }, state[i] as StateTree);
        grads = out.updates;
        next.push(out.state);
      });
      return { updates: [...grads], state: next };
    },
  };
}
