/**
 * AVA's configuration (here rather than in package.json because sortTestFiles is a function).
 *
 * Two test files run at a time, each in its own process. AVA starts them in path order unless told
 * otherwise, which put the browser tests (web) and the contracts folder last: the run then ended with
 * one slow file on one core while the other core idled. The files below took longest in CI (sum of
 * their tests' durations, slowest first); starting them first lets the many short files fill in
 * around them at the end. A file missing from the list only starts later, nothing more.
 */
const SLOWEST_FIRST = [
  'test/readme-examples.test.ts',
  'test/web.test.ts',
  'test/maml.test.ts',
  'test/image-suites.test.ts',
  'test/behaviour-pins.test.ts',
  'test/runner.test.ts',
  'test/cli.test.ts',
  'test/pool.test.ts',
  'test/tfjs-optimizer.test.ts',
  'test/queue.test.ts',
  'test/lstm.test.ts',
  'test/dqn.test.ts',
  'test/omniglot-fewshot.test.ts',
  'test/cifar-loader.test.ts',
  'test/coordinate-policy.test.ts',
  'test/contracts/learned-kinds.test.ts',
];

const rank = (file) => {
  const index = SLOWEST_FIRST.findIndex((name) => file.endsWith(name));
  return index === -1 ? SLOWEST_FIRST.length : index;
};

export default {
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  files: ['test/**/*.test.ts'],
  timeout: '5m',
  workerThreads: false,
  concurrency: 2,
  sortTestFiles: (a, b) => rank(a) - rank(b) || a.localeCompare(b, [], { numeric: true }),
};
