/**
 * One finished run, as appended to `runs.jsonl`. Reports read only these
 * records: they do not know how a run was produced.
 */
import t from '#cjs/io-ts';

export const RunRecord = t.intersection([
  t.type({
    /** Task id, e.g. `rosenbrock` or `quadratic10d`. */
    task: t.string,
    /** Optimizer label from the suite, e.g. `adam` or `lr-schedule (learned)`. */
    optimizer: t.string,
    /** The hyper-parameters of this run (the grid point for tuned baselines). */
    hparams: t.record(t.string, t.union([t.number, t.string, t.boolean])),
    seed: t.number,
    backend: t.string,
    steps: t.number,
    /** Loss before the first step (index 0) and after each step: `steps + 1` values, null once diverged. */
    losses: t.array(t.union([t.number, t.null])),
    finalLoss: t.union([t.number, t.null]),
    bestLoss: t.union([t.number, t.null]),
    /** First step whose loss is ≤ the task's threshold, or null. */
    stepsToThreshold: t.union([t.number, t.null]),
    /** Mean loss over steps 0…steps (area under the loss curve divided by its length); null if diverged. */
    auc: t.union([t.number, t.null]),
    wallMs: t.number,
    diverged: t.boolean,
  }),
  t.partial({
    /** For seed 0 of 2-D tasks: parameter positions at (a subsample of) steps, for trajectory plots: [[step, x, y], …]. */
    trajectory: t.array(t.tuple([t.number, t.number, t.number])),
    /** The task's known minimum value, when it has one (for log-scale plots of loss − f*). */
    optimum: t.number,
    /** Evaluation metrics of tasks that have them, e.g. testAccuracy. */
    metrics: t.record(t.string, t.number),
    /** Per-step loss-scale used when plotting: 'log' (loss − optimum > 0) or 'symlog' (unbounded below). */
    lossScale: t.union([t.literal('log'), t.literal('symlog')]),
    /** Values a controller chose at each step (UpdateOutput.trace), e.g. `learningRate`: one per step, null once diverged. */
    traces: t.record(t.string, t.array(t.union([t.number, t.null]))),
    /**
     * The group this run was batched in: how many rows ran together (after any
     * out-of-memory retries), the estimate it was sized by, and, when it finished,
     * the wasm heap's size (its high-water mark: wasm memory never shrinks) and the
     * process's peak resident set, in bytes.
     */
    /**
     * The evaluation curve (suites with `evaluation`): at each of `steps`, the training
     * loss measured as `source` says, the training wall-clock per run so far (`ms`,
     * evaluation excluded) and, for tasks with a test set, test loss and accuracy; null once diverged.
     */
    evaluation: t.intersection([
      t.type({ every: t.number, source: t.string, steps: t.array(t.number), ms: t.array(t.number), loss: t.array(t.union([t.number, t.null])) }),
      t.partial({ testLoss: t.array(t.union([t.number, t.null])), testAccuracy: t.array(t.union([t.number, t.null])) }),
    ]),
    /** 'tuning' for a run on a held-out tuning seed (it chose a grid point; it is not scored). Absent: a scored run. */
    role: t.literal('tuning'),
    /** For a tuning run at a point added by bracketing: the round that added it (1, 2, …). */
    extension: t.number,
    memory: t.intersection([t.type({ groupRows: t.number, maxRssBytes: t.number }), t.partial({ estimatedBytes: t.number, heapBytes: t.number })]),
  }),
], 'RunRecord');
export type RunRecord = t.TypeOf<typeof RunRecord>;

/** The identity of a run: `--resume` skips records with a key already in runs.jsonl. */
export function runKey(r: Pick<RunRecord, 'task' | 'optimizer' | 'hparams' | 'seed' | 'steps'>): string {
  const hp = Object.keys(r.hparams)
    .sort()
    .map((k) => `${k}=${String(r.hparams[k])}`)
    .join(',');
  return `${r.task}|${r.optimizer}|${hp}|seed=${r.seed}|steps=${r.steps}`;
}

/**
 * A record without what measures the machine rather than the run (wall time, memory):
 * the same run gives the same result wherever and however it was batched or scheduled.
 */
export function runResult(record: RunRecord): Omit<RunRecord, 'wallMs' | 'memory'> {
  const { wallMs: _wallMs, memory: _memory, ...result } = record;
  return result;
}
