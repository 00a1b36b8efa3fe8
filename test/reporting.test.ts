/** Reports from runs.jsonl: tuning choice, ranks, divergence, malformed lines, tables and plots. */
import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CSV_COLUMNS, summarize, toMarkdown as toMarkdownImported, writeReport } from '../src/reporting/index.js';
import type { RunRecord } from '../src/suite/record.js';

function record(task: string, optimizer: string, lr: number, seed: number, final: number | null, extra: Partial<RunRecord> = {}): RunRecord {
  const losses = [10, 5, final];
  return {
    task, optimizer, hparams: { rule: optimizer, learningRate: lr }, seed, backend: 'cpu', steps: 2, losses,
    finalLoss: final, bestLoss: final === null ? 5 : Math.min(5, final), stepsToThreshold: final !== null && final < 1 ? 2 : null,
    auc: final === null ? null : (15 + final) / 3, wallMs: 1, diverged: final === null, optimum: 0, lossScale: 'log', ...extra,
  };
}

function fixture(): RunRecord[] {
  const runs: RunRecord[] = [];
  for (const seed of [0, 1, 2]) {
    // sgd's grid: the middle learning rate is best; the largest diverges on seed 2.
    runs.push(record('bowl', 'sgd', 0.01, seed, 3 + seed * 0.1));
    runs.push(record('bowl', 'sgd', 0.1, seed, 0.5 + seed * 0.1, { trajectory: [[0, 1, 1], [1, 0.5, 0.4], [2, 0.1, 0.1]] }));
    runs.push(record('bowl', 'sgd', 1, seed, seed === 2 ? null : 0.2));
    runs.push(record('bowl', 'adam', 0.1, seed, 0.05 + seed * 0.01, { trajectory: [[0, 1, 1], [2, 0, 0.1]] }));
    runs.push(record('bowl', 'weird, "quoted" name', 0.1, seed, 2));
    runs.push(record('flat', 'sgd', 0.1, seed, 1));
    runs.push(record('flat', 'adam', 0.1, seed, null));
  }
  return runs;
}

test('the best grid point, ranks, divergence and statistics', (t) => {
  const [bowl, flat] = summarize(fixture());
  const sgd = bowl!.optimizers.find((o) => o.optimizer === 'sgd')!;
  t.is(sgd.hparams['learningRate'], 0.1, 'lr=1 diverged once, so it loses to the middle point');
  t.is(sgd.gridPoints, 3);
  t.is(sgd.seeds, 3);
  t.true(Math.abs(sgd.finalLoss.mean! - 0.6) < 1e-12 && Math.abs(sgd.finalLoss.std! - 0.1) < 1e-12);
  t.deepEqual(bowl!.optimizers.map((o) => [o.optimizer, o.rank]), [['adam', 1], ['sgd', 2], ['weird, "quoted" name', 3]]);
  const adam = flat!.optimizers.find((o) => o.optimizer === 'adam')!;
  t.is(adam.diverged, 3);
  t.is(adam.rank, 2, 'an optimizer that always diverged ranks last');
  t.is(adam.finalLoss.mean, null);
});

test('writeReport: tables with every optimizer × task, a malformed line reported, valid SVG and PNG', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-report-'));
  const lines = fixture().map((r) => JSON.stringify(r));
  lines.splice(4, 0, '{"task": "bowl", "optimizer": 3}');
  await writeFile(path.join(dir, 'runs.jsonl'), `${lines.join('\n')}\n`);
  const result = await writeReport(dir, {
    header: ['provenance line'],
    contour: (task) => (task === 'bowl' ? { bounds: { x: [-1, 2], y: [-1, 2] }, f: (x, y) => x * x + 10 * y * y, optimum: 0, minima: [[0, 0]] } : undefined),
  });
  const md = await readFile(path.join(dir, 'summary.md'), 'utf8');
  t.regex(md, /provenance line/);
  t.regex(md, /1 malformed line\(s\) in runs\.jsonl were skipped:\*\* line 5 /);
  for (const name of ['sgd', 'adam', 'weird, "quoted" name']) t.regex(md, new RegExp(`\\| ${name.replace(/[()]/g, '\\$&')} \\|`));
  t.regex(md, /Winner on bowl by final loss: \*\*adam\*\*/);
  t.regex(md, /learningRate=0\.1 \(best of 3\)/);

  // The CSV parses back (RFC 4180 quoting) with one row per task × optimizer.
  const csv = await readFile(path.join(dir, 'summary.csv'), 'utf8');
  const rows = parseCsv(csv);
  t.deepEqual(rows[0], [...CSV_COLUMNS]);
  t.is(rows.length, 1 + 5);
  t.true(rows.every((r) => r.length === CSV_COLUMNS.length));
  t.true(rows.some((r) => r[2] === 'weird, "quoted" name'));

  const svgs = result.files.filter((f) => f.endsWith('.svg'));
  t.deepEqual(svgs.map((f) => path.basename(f)).sort(), ['loss-bowl.svg', 'loss-flat.svg', 'performance-profiles.svg', 'trajectories-bowl.svg']);
  for (const file of svgs) {
    const svg = await readFile(file, 'utf8');
    t.true(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>'), file);
  }
  t.regex(await readFile(path.join(dir, 'plots', 'trajectories-bowl.svg'), 'utf8'), /<path[^>]+d="M/);
  for (const file of result.files.filter((f) => f.endsWith('.png'))) {
    const png = await readFile(file);
    t.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], `${file} has the PNG signature`);
    t.true(png.readUInt32BE(16) > 100 && png.readUInt32BE(20) > 100, `${file} has a real size`);
  }
});

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}

test('paired ratios against adam: median, quartiles and wins per seed', async (t) => {
  const { pairedRatios } = await import('../src/reporting/index.js');
  const [bowl] = summarize(fixture());
  const sgd = pairedRatios(bowl!, 'adam').find((p) => p.optimizer === 'sgd')!;
  // sgd (lr 0.1) finals 0.5, 0.6, 0.7 against adam's 0.05, 0.06, 0.07: every ratio is 10.
  t.is(sgd.pairs, 3);
  t.is(sgd.wins, 0);
  t.true(Math.abs(sgd.median - 10) < 1e-9 && Math.abs(sgd.q1 - 10) < 1e-9);
  t.deepEqual(pairedRatios(bowl!, 'no-such-optimizer'), []);
});

test('paired ratios read the primary metric, not the last minibatch loss', async (t) => {
  const { pairedRatios } = await import('../src/reporting/index.js');
  // Final minibatch losses favour sgd; the evaluation loss (the primary metric) favours adam 2:1, and accuracy 0.9 vs 0.8.
  const runs = [0, 1, 2].flatMap((seed) => [
    record('net', 'adam', 0.1, seed, 0.5, { metrics: { evalLoss: 0.2, testAccuracy: 0.9 } }),
    record('net', 'sgd', 0.1, seed, 0.1, { metrics: { evalLoss: 0.4, testAccuracy: 0.8 } }),
  ]);
  const [net] = summarize(runs, { metric: 'evalLoss', reference: 'adam' });
  const byEval = pairedRatios(net!, 'adam', 'evalLoss')[0]!;
  t.true(Math.abs(byEval.median - 2) < 1e-9);
  t.is(byEval.wins, 0);
  t.is(pairedRatios(net!, 'adam')[0]!.wins, 3, 'by the final minibatch loss sgd would win every seed');
  // Accuracy: the cost is 1 − accuracy, 0.2 against 0.1.
  t.true(Math.abs(pairedRatios(net!, 'adam', 'testAccuracy')[0]!.median - 2) < 1e-9);
});

test('learned optimizers against the best tuned baseline: paired verdicts need a majority and p < 0.05', async (t) => {
  const { learnedVerdicts } = await import('../src/reporting/learnedVerdict.js');
  const { toMarkdown } = await import('../src/reporting/index.js');
  const learned = (name: string, seed: number, evalLoss: number) =>
    record('net', name, 0, seed, 1, { hparams: { kind: 'lstm', mode: 'frozen' }, metrics: { evalLoss } });
  const runs = [0, 1, 2, 3, 4, 5].flatMap((seed) => [
    // Adam's grid: 0.01 is best; sgd is worse than both Adam points, so Adam (0.01) is the baseline to beat.
    record('net', 'adam', 0.01, seed, 1, { metrics: { evalLoss: 0.3 + seed * 0.01 } }),
    record('net', 'adam', 0.1, seed, 1, { metrics: { evalLoss: 0.5 } }),
    record('net', 'sgd', 0.1, seed, 1, { metrics: { evalLoss: 0.6 } }),
    learned('good', seed, 0.2 + seed * 0.02),
    // Better on seeds 0–2, worse on 3–5: no verdict.
    learned('mixed', seed, seed < 3 ? 0.25 : 0.45),
    learned('bad', seed, 0.9),
  ]);
  const summary = summarize(runs, { metric: 'evalLoss', reference: 'sgd' });
  const verdicts = learnedVerdicts(summary, 'evalLoss');
  const by = new Map(verdicts.map((v) => [v.learned.optimizer, v]));
  t.is(by.get('good')!.baseline.optimizer, 'adam');
  t.deepEqual([...by.values()].map((v) => [v.learned.optimizer, v.verdict, v.paired.better]).sort(), [
    ['bad', 'worse', 0],
    ['good', 'better', 6],
    ['mixed', 'no clear difference', 3],
  ]);
  // Six seeds all one way, no tied magnitudes: exact two-sided Wilcoxon p = 2/2⁶.
  t.true(Math.abs(by.get('good')!.paired.wilcoxonP - 2 / 64) < 1e-9);
  const md = toMarkdown(summary, [], [], { metric: 'evalLoss', reference: 'sgd' });
  t.regex(md, /## Learned optimizers against the best tuned baseline \(evaluation loss at the last step\)/);
  t.regex(md, /\| net \| good \| 0\.25 · .* \| adam \(learningRate=0\.01 ⚠lowest tried \(best of 2\)\) \| .* \| 6\/6 \| .* \| better \|/);
  // Five seeds, all worse: no outcome can reach p < 0.05 (p ≥ 0.0625), so the table says it is unanimous instead.
  const five = runs.filter((r) => r.seed < 5);
  const unanimous = new Map(learnedVerdicts(summarize(five, { metric: 'evalLoss' }), 'evalLoss').map((v) => [v.learned.optimizer, v.verdict]));
  t.is(unanimous.get('bad'), 'worse on every seed');
  t.is(unanimous.get('good'), 'better on every seed');
  t.is(unanimous.get('mixed'), 'no clear difference');
  // No learned optimizer: no section.
  t.notRegex(toMarkdown(summarize(fixture()), []), /Learned optimizers against/);
});

test('the at-a-glance table: optimizers × tasks, median primary metric, tuned η, winner marked, rows by mean rank', (t) => {
  const md = toMarkdownImported(summarize(fixture()), []);
  const section = md.slice(md.indexOf('## At a glance'), md.indexOf('## bowl'));
  t.regex(section, /\| optimizer \| bowl \| flat \|/);
  // bowl: adam first (median final 0.06); flat: sgd first, adam always diverged.
  t.regex(section, /\| adam \| 0\.06 \*\*#1\*\* \| failed \|/);
  t.regex(section, /\| sgd \| 0\.6 \(η=0\.1\) \| 1 \*\*#1\*\* \|/);
  t.regex(section, /\| weird, "quoted" name \| 2 \| — \|/);
  t.true(section.indexOf('| adam |') < section.indexOf('| weird'), 'rows by mean rank');
});
