/**
 * Lets the event loop turn between steps of a long computation, at most once every `everyMs`.
 *
 * The step loop's own awaits (a tensor's data() on wasm or cpu) resolve as microtasks, so a unit that a worker pool
 * runs in its own process kept every IPC message, timer and file write waiting until it ended. With a 156 s unit
 * (l2l-mnist-200's 20 LSTM-optimizer runs) the pool's child ran its two prefetched units and then idled for
 * minutes, its next unit unsent. A turn is a setImmediate: it lets pending I/O callbacks run and costs microseconds.
 * Browsers have no setImmediate and no pool; there the loop keeps its own pace.
 */
export type EventLoopTurn = () => Promise<void>;

const nextTurn: ((resolve: () => void) => void) | undefined = typeof setImmediate === 'function' ? (resolve) => setImmediate(resolve) : undefined;

export function eventLoopTurns(everyMs = 20): EventLoopTurn {
  let last = performance.now();
  return async () => {
    if (nextTurn === undefined || performance.now() - last < everyMs) return;
    await new Promise<void>(nextTurn);
    last = performance.now();
  };
}
