/**
 * JSON descriptions of rules and schedules, so that optimizers survive
 * `getConfig`/`fromConfig` and suite files can name them. Decoded with io-ts.
 */
import t from '#cjs/io-ts';

export interface ScheduleSpec {
  schedule: string;
  [option: string]: number | string | boolean | ScheduleSpec | undefined;
}

export const ScheduleSpec: t.Type<ScheduleSpec> = t.recursion('ScheduleSpec', () =>
  t.intersection([t.type({ schedule: t.string }), t.record(t.string, t.union([t.number, t.string, t.boolean, ScheduleSpec]))]) as unknown as t.Type<ScheduleSpec>,
);

export type OptionValue = number | boolean | string | ScheduleSpec | RuleSpec[];

export interface RuleSpec {
  rule: string;
  options: Record<string, OptionValue>;
}

export const RuleSpec: t.Type<RuleSpec> = t.recursion('RuleSpec', () =>
  t.type({
    rule: t.string,
    options: t.record(t.string, t.union([t.number, t.boolean, t.string, ScheduleSpec, t.array(RuleSpec)])),
  }),
);
