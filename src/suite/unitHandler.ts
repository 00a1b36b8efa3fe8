/** The pool handler for a suite's run groups: a UnitRunner per worker, a unit's records back. */
import type { UnitHandler } from '../pool/types.js';
import type { Unit } from './unit.js';
import { UnitRunner, type UnitContext } from './unitRunner.js';

export async function openSuiteHandler(context: unknown): Promise<UnitHandler> {
  const runner = await UnitRunner.open(context as UnitContext);
  return { run: (unit) => runner.run(unit as Unit) };
}
