/** Composition: each rule transforms the previous rule's updates (optax's `chain`). */
import type { RuleSpec } from './spec.js';
import type { StateTree, UpdateRule } from './types.js';

export function chain(...rules: UpdateRule[]): UpdateRule<StateTree[]> {
  const specs = rules.map((r) => r.spec);
  const spec: RuleSpec | undefined = specs.every((s): s is RuleSpec => s !== undefined) ? { rule: 'chain', options: { rules: specs } } : undefined;
  return {
    ...(spec === undefined ? {} : { spec }),
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
