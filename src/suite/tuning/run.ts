/** The suite's runs in the phases of its tuning protocol (protocol.ts): one phase when grid points are chosen on the scored seeds. */
import type { Suite } from '../decode.js';
import { planGroups } from '../plan.js';
import { shardGroups, type Shard } from '../shard.js';
import { runHeldOut, type PhaseRunner } from './heldOut.js';

export async function runProtocol(suite: Suite, seeds: number, shard: Shard | undefined, runner: PhaseRunner): Promise<void> {
  if (suite.tuning.mode === 'scored-seeds') {
    await runner.execute(shard === undefined ? planGroups(suite, seeds, runner.done()) : shardGroups(suite, seeds, shard, runner.done()), (r) => r);
    return;
  }
  if (shard !== undefined) throw new Error(`${suite.file}: held-out tuning runs in phases (tune, bracket, then score), which shards cannot split; run the suite without --shard, or set "tuning": {"mode": "scored-seeds"}`);
  await runHeldOut(suite, suite.tuning, seeds, runner);
}
