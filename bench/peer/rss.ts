/**
 * Peak RSS of a few steps of one peer workload in a fresh process (the parent runs it once per side):
 *   node dist-bench/bench/peer/rss.js <workload> <steps> <backend>
 * Prints one JSON line.
 */
import { setupBackend, BackendRequest } from '../../src/index.js';
import { WORKLOADS } from './workloads.js';

const [id = 'resnet', stepsText = '3', backend = 'wasm'] = process.argv.slice(2);
if (!BackendRequest.is(backend)) throw new Error(`backend must be one of auto, cpu, wasm, webgpu, tensorflow (got '${backend}')`);
const workload = WORKLOADS.find((w) => w.id === id);
if (workload === undefined) throw new Error(`unknown workload '${id}'; expected one of ${WORKLOADS.map((w) => w.id).join(', ')}`);
await setupBackend(backend);
const run = await workload.prepare();
for (let i = 0; i < Number(stepsText); i++) await run();
workload.dispose?.();
// resourceUsage().maxRSS is in KiB.
console.log(JSON.stringify({ workload: id, steps: Number(stepsText), maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
