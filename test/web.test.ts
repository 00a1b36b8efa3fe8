/**
 * The browser build: the entry bundles for browsers with no Node built-in, checkpoints
 * load over HTTP (SHA-256 checked), and the built site works in headless Chromium
 * (Debian's chromium; .ci/run installs it) — the race equals `alphaopt run`, training
 * lowers the loss, the explorer shows the committed 2-D winners, a broken checkpoint
 * URL is reported, the README's browser programs run as written. Screenshots go to
 * test-artifacts/web/.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import http from 'node:http';
import { Command } from 'commander';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildSite } from '../web/build.js';
import { startStaticServer, type StaticServer } from '../src/cli/staticServer.js';
import { registerServeCommand } from '../src/cli/serve.js';
import { setupBackend } from '../src/backend/setup.js';
import { loadLearnedOptimizer } from '../src/learned/index.js';
import { readSuite } from '../src/suite/decode.js';
import { runSuite } from '../src/suite/runner.js';
import { parseRuns } from '../src/reporting/parseRuns.js';
import { checkpointUrl, loadPretrained } from '../src/web/index.js';
import type { RunRecord } from '../src/suite/record.js';
import { browserPrograms, readmeBlocks, WEB_IMPORT } from './helpers/readme.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve('test-artifacts', 'web');
/** The flags that work on machines with a closed network (see .ci/run). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let server: StaticServer;
let browser: Browser;
let siteDir: string;

test.before(async () => {
  siteDir = (await buildSite()).out;
  server = await startStaticServer(siteDir);
  await mkdir(ARTIFACTS, { recursive: true });
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

test.after.always(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * The bound on every page action (goto, waits, screenshots). Playwright's default, 30 s, is
 * exceeded by a page load alone on a machine at load ~15; a hung page still fails, after this.
 */
const PAGE_TIMEOUT_MS = 120_000;

/** A tab whose every action and navigation waits up to PAGE_TIMEOUT_MS. */
async function newTab(options?: Parameters<Browser['newPage']>[0]): Promise<Page> {
  const tab = await browser.newPage(options);
  tab.setDefaultTimeout(PAGE_TIMEOUT_MS);
  tab.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
  return tab;
}

async function open(page: string): Promise<Page> {
  const tab = await newTab({ viewport: { width: 1280, height: 1000 } });
  const problems: string[] = [];
  tab.on('pageerror', (error) => problems.push(error.message));
  await tab.goto(`${server.url}${page}`);
  await tab.waitForSelector('body[data-ready="true"]').catch((error: Error) => {
    throw new Error(`${page} did not become ready: ${error.message}; page errors: ${problems.join('; ') || 'none'}`);
  });
  return tab;
}

test('the browser entry bundles for the browser platform with no Node built-in; the Node entry does not', async (t) => {
  const options: esbuild.BuildOptions = { bundle: true, platform: 'browser', format: 'esm', splitting: true, minify: true, write: false, outdir: path.join(os.tmpdir(), 'alphaopt-web-bundle'), logLevel: 'silent' };
  const web = await esbuild.build({ ...options, entryPoints: ['src/web/index.ts'], metafile: true });
  const nodeInputs = Object.keys(web.metafile!.inputs).filter((input) => input.startsWith('node:') || builtinModules.includes(input));
  t.deepEqual(nodeInputs, []);
  const own = await esbuild.build({ ...options, entryPoints: ['src/web/index.ts'], splitting: false, external: ['@tensorflow/*'] });
  const gzip = (files: esbuild.OutputFile[]) => files.filter((f) => f.path.endsWith('.js')).reduce((n, f) => n + gzipSync(f.contents).byteLength, 0);
  t.log(`browser entry, minified + gzip: ${(gzip(own.outputFiles!) / 1024).toFixed(1)} KiB without tfjs, ${(gzip(web.outputFiles!) / 1024).toFixed(1)} KiB with tfjs and its webgl, wasm and webgpu backends (.wasm files apart)`);
  // The check can fail: the Node entry reaches fs, path, zlib, … and esbuild refuses them for browsers.
  const error = await t.throwsAsync(esbuild.build({ ...options, entryPoints: ['src/index.ts'] }));
  t.regex(error!.message, /Could not resolve "(node:)?(fs|path|zlib|url)/);
});

test('a bundler targeting browsers resolves the package name to the browser entry (the "browser" export condition)', async (t) => {
  const entry = path.resolve('dist/web/index.js');
  if (!existsSync(entry)) return t.fail(`${entry} missing: run npm run build`);
  const app = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-consumer-'));
  await mkdir(path.join(app, 'node_modules'));
  await symlink(path.resolve('.'), path.join(app, 'node_modules', 'alphaopt'), 'dir');
  await writeFile(path.join(app, 'app.js'), "import { rules, loadPretrained } from 'alphaopt';\nconsole.log(rules.adam, loadPretrained);\n");
  try {
    const bundle = (platform: esbuild.Platform) =>
      esbuild.build({ entryPoints: [path.join(app, 'app.js')], bundle: true, platform, format: 'esm', write: false, metafile: true, logLevel: 'silent', external: ['@tensorflow/*', 'io-ts', 'fp-ts', '@resvg/*', 'webgpu', 'vega', 'vega-lite', 'tar', 'yauzl', 'cli-progress', 'commander', 'pngjs'] });
    const browser = await bundle('browser');
    t.true(Object.keys(browser.metafile!.inputs).some((input) => input.endsWith('dist/web/index.js')));
    const node = await bundle('node');
    t.false(Object.keys(node.metafile!.inputs).some((input) => input.endsWith('dist/web/index.js')));
  } finally {
    await rm(app, { recursive: true, force: true });
  }
});

test('loadPretrained over HTTP reads the checkpoint as the disk does, and checks its SHA-256 as the disk does', async (t) => {
  await setupBackend('wasm');
  const fromDisk = await loadLearnedOptimizer('pretrained/lstm-quadratic');
  const overHttp = await loadPretrained('lstm-quadratic', { baseUrl: `${server.url}pretrained/` });
  t.is(overHttp.kind, 'lstm');
  for (const [name, variable] of fromDisk.metaParams) t.deepEqual(Array.from(await overHttp.metaParams.get(name)!.data()), Array.from(await variable.data()), name);
  fromDisk.dispose();
  overHttp.dispose();

  // A copy with the right digest loads; one whose weights changed after the digest was taken is refused.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-sha-'));
  const local = await startStaticServer(dir);
  try {
    const weights = await readFile('pretrained/lstm-quadratic/weights.bin');
    const manifest = JSON.parse(await readFile('pretrained/lstm-quadratic/manifest.json', 'utf8')) as Record<string, unknown>;
    await mkdir(path.join(dir, 'good'));
    await writeFile(path.join(dir, 'good', 'weights.bin'), weights);
    t.truthy(manifest['sha256'], 'shipped checkpoints carry a hash');
    await writeFile(path.join(dir, 'good', 'manifest.json'), JSON.stringify(manifest));
    (await loadPretrained(`${local.url}good/`)).dispose();
    await cp(path.join(dir, 'good'), path.join(dir, 'bad'), { recursive: true });
    const damaged = Buffer.from(weights);
    damaged[100] = damaged[100]! ^ 0xff;
    await writeFile(path.join(dir, 'bad', 'weights.bin'), damaged);
    await t.throwsAsync(loadPretrained(`${local.url}bad/manifest.json`), { message: /bad\/weights\.bin is damaged or was changed: its SHA-256 is [0-9a-f]{64}, .*bad\/manifest\.json records [0-9a-f]{64}/ });
    await t.throwsAsync(loadPretrained(`${local.url}missing/`), { message: /cannot fetch http:\/\/127\.0\.0\.1:\d+\/missing\/manifest\.json: HTTP 404/ });
  } finally {
    await local.close();
    await rm(dir, { recursive: true, force: true });
  }
  t.is(checkpointUrl('https://example.org/c/manifest.json'), 'https://example.org/c/');
});

test('alphaopt serve: refuses an unbuilt site; the static server keeps requests inside the site', async (t) => {
  const empty = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-serve-'));
  const program = new Command().exitOverride();
  registerServeCommand(program);
  await t.throwsAsync(program.parseAsync(['node', 'alphaopt', 'serve', '--dir', empty]), { message: /no built site in .*: run `npm run build:web`/ });
  await rm(empty, { recursive: true, force: true });
  const status = (raw: string) =>
    new Promise<number>((resolve, reject) => http.get(`${server.url}${raw}`, (response) => { response.resume(); resolve(response.statusCode ?? 0); }).on('error', reject));
  t.is(await status('..%2f..%2fpackage.json'), 403);
  t.is(await status('race.html'), 200);
  t.is(await status('no-such-page.html'), 404);
});

/** The race page's optimizers: the 2-D suite's baselines at one learning rate each, and learned checkpoints. */
const BASELINES: Array<[id: string, name: string, rule: unknown, lr: number]> = [
  ['sgd', 'sgd', 'sgd', 0.001], ['momentum', 'momentum', 'momentum', 0.001], ['nesterov', 'nesterov', 'nesterov', 0.001],
  ['adagrad', 'adagrad', 'adagrad', 0.316], ['rmsprop', 'rmsprop', 'rmsprop', 0.01],
  ['rmsprop-centered', 'rmsprop (centered)', { rule: 'rmsprop', options: { centered: true } }, 0.01], ['adadelta', 'adadelta', 'adadelta', 10],
  ['adam', 'adam', 'adam', 0.1], ['adamax', 'adamax', 'adamax', 0.1], ['amsgrad', 'amsgrad', 'amsgrad', 0.1], ['adamw', 'adamw', 'adamw', 0.1],
];
const LEARNED: Array<[name: string, kind: string, dir: string, mode: 'frozen' | 'online']> = [
  ['lstm-quadratic', 'lstm', 'pretrained/lstm-quadratic', 'frozen'],
  ['policy-nn', 'coordinate-policy', 'pretrained/policy-nn', 'frozen'],
  ['lr-schedule-2d', 'lr-schedule', 'results/2d/checkpoints/lr-schedule-learned', 'frozen'],
  // Online: the actor-critic keeps learning during each run, in the page as in the runner.
  ['actor-critic-mnist-m1', 'actor-critic', 'pretrained/actor-critic-mnist-m1', 'online'],
];
/** The name the page gives a learned optimizer (and the CLI suite below too). */
const learnedName = ([name, , , mode]: (typeof LEARNED)[number]) => (mode === 'online' ? `${name} (online)` : name);

async function cliRuns(landscapes: string[], steps: number, seeds: number): Promise<RunRecord[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-web-cli-'));
  const suite = {
    name: 'web-parity',
    backend: 'wasm',
    steps,
    seeds,
    tasks: landscapes.map((task) => ({ task })),
    optimizers: [
      ...BASELINES.map(([, name, rule, lr]) => ({ name, rule, grid: { learningRate: [lr] } })),
      ...LEARNED.map((entry) => ({ name: learnedName(entry), learned: { kind: entry[1], checkpoint: path.resolve(entry[2]), mode: entry[3] } })),
    ],
  };
  await writeFile(path.join(dir, 'suite.json'), JSON.stringify(suite));
  await runSuite(await readSuite(path.join(dir, 'suite.json')), { out: path.join(dir, 'out'), backend: 'wasm' });
  const { records } = parseRuns(await readFile(path.join(dir, 'out', 'runs.jsonl'), 'utf8'));
  await rm(dir, { recursive: true, force: true });
  return records;
}

let parityRuns: Promise<RunRecord[]> | undefined;
/** `alphaopt run` of every race optimizer on the eight landscapes, seeds 0 and 1, 100 steps (once per test file). */
const cliParityRuns = () => (parityRuns ??= cliRuns(LANDSCAPE_IDS, 100, 2));

const close = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b)));

const LANDSCAPE_IDS = ['quadratic', 'ill-conditioned', 'rotated', 'rosenbrock', 'beale', 'himmelblau', 'rastrigin', 'saddle'];
const SEED1_LANDSCAPES = ['rosenbrock', 'beale', 'rastrigin', 'saddle'];

test.serial('race page: every chosen optimizer is drawn, and on all eight landscapes its losses and path equal alphaopt run (wasm, 1e-5)', async (t) => {
  const steps = 100;
  const started = Date.now();
  const cli = cliParityRuns().then((records) => {
    t.log(`alphaopt run of the same suite: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return records;
  });
  const query = (landscape: string, seed: number) =>
    `race.html?landscape=${landscape}&seed=${seed}&steps=${steps}&backend=wasm&opt=${BASELINES.map(([id, , , lr]) => `${id}:${lr}`).join(',')}&learned=${LEARNED.map(([name, , , mode]) => (mode === 'online' ? `${name}:online` : name)).join(',')}`;
  const page = await open(query('rosenbrock', 0));
  const mapBefore = await page.evaluate(() => (document.getElementById('map') as HTMLCanvasElement).toDataURL());
  await page.click('#run');
  await page.waitForSelector('#results[data-state="done"]');
  t.is(await page.textContent('#errors'), '');
  const first = (await page.evaluate(() => (window as unknown as { alphaoptRace: unknown }).alphaoptRace)) as { records: RunRecord[]; wallMs: number };
  t.log(`race of ${first.records.length} optimizers × ${steps} steps on rosenbrock in headless Chromium (wasm): ${(first.wallMs / 1000).toFixed(2)} s`);
  t.is(first.records.length, BASELINES.length + LEARNED.length);
  t.not(await page.evaluate(() => (document.getElementById('map') as HTMLCanvasElement).toDataURL()), mapBefore, 'the paths were drawn on the map');
  t.is(await page.locator('#chart polyline').count(), first.records.length, 'one loss curve per optimizer');
  await page.screenshot({ path: path.join(ARTIFACTS, 'race.png'), fullPage: true });
  await page.emulateMedia({ reducedMotion: 'reduce' }); // one frame per race from here on
  const expected = await cli;
  let compared = 0;
  // Seed 0 (the suite's fixed start) on every landscape; seed 1 (a random start) on four of them.
  const cases = [...LANDSCAPE_IDS.map((l) => [l, 0] as const), ...SEED1_LANDSCAPES.map((l) => [l, 1] as const)];
  for (const [landscape, seed] of cases) {
    {
      // Same page, other landscape and start (checkpoints stay loaded): as a visitor would.
      await page.selectOption('#landscape', landscape);
      await page.fill('#seed', String(seed));
      await page.click('#use-seed');
      await page.click('#run');
      await page.waitForSelector('#results[data-state="done"]');
      const race = (await page.evaluate(() => (window as unknown as { alphaoptRace: unknown }).alphaoptRace)) as { records: RunRecord[] };
      const shown = await page.$$eval('#results tbody tr', (rows) => rows.map((r) => [(r as HTMLElement).dataset['optimizer'], r.children[2]!.getAttribute('data-value')]));
      for (const cliRecord of expected.filter((r) => r.task === landscape && r.seed === seed)) {
        const what = `${landscape}, seed ${seed}, ${cliRecord.optimizer}`;
        const got = race.records.find((r) => r.optimizer === cliRecord.optimizer);
        if (got === undefined) {
          t.fail(`${what}: missing from the page`);
          continue;
        }
        t.is(got.losses.length, steps + 1, what);
        const bad = cliRecord.losses.findIndex((l, i) => !close(got.losses[i]!, l));
        t.is(bad, -1, `${what}: losses differ from step ${bad} (page ${got.losses[bad]}, CLI ${cliRecord.losses[bad]})`);
        const finalShown = shown.find(([name]) => name === cliRecord.optimizer)?.[1];
        t.true(cliRecord.finalLoss === null ? finalShown === 'null' : close(Number(finalShown), cliRecord.finalLoss), `${what}: final loss shown ${finalShown}, CLI ${cliRecord.finalLoss}`);
        // The CLI keeps seed 0's path (every other step); the page every step.
        for (const [step, x, y] of cliRecord.trajectory ?? []) {
          const point = got.trajectory!.find(([s]) => s === step)!;
          t.true(close(point[1], x) && close(point[2], y), `${what}: position at step ${step}`);
        }
        compared++;
      }
    }
  }
  t.is(compared, cases.length * (BASELINES.length + LEARNED.length));
  t.log(`whole comparison: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await page.close();
});

test.serial('race page on webgl: the first ten steps agree with alphaopt run on wasm to 1e-4', async (t) => {
  // Headless Chromium without a GPU runs webgl on SwiftShader (software): slow, but a real WebGL context.
  const page = await open('race.html?landscape=beale&seed=0&steps=10&backend=webgl&opt=adam:0.1&learned=lstm-quadratic');
  t.is(await page.textContent('#errors'), '');
  await page.click('#run');
  await page.waitForSelector('#results[data-state="done"]');
  const race = (await page.evaluate(() => (window as unknown as { alphaoptRace: unknown }).alphaoptRace)) as { records: RunRecord[]; backend: string };
  t.is(race.backend, 'webgl');
  const cli = (await cliParityRuns()).filter((r) => r.task === 'beale' && r.seed === 0);
  for (const name of ['adam', 'lstm-quadratic']) {
    const got = race.records.find((r) => r.optimizer === name)!;
    const expected = cli.find((r) => r.optimizer === name)!;
    const worst = Math.max(...got.losses.map((l, i) => Math.abs(l! - expected.losses[i]!) / Math.max(1, Math.abs(expected.losses[i]!))));
    t.true(worst <= 1e-4, `${name}: webgl differs from wasm by ${worst} (relative)`);
  }
  await page.close();
});

test.serial('race page: a broken checkpoint URL is reported in the page', async (t) => {
  const page = await open('race.html?landscape=himmelblau&learned=');
  await page.fill('#checkpoint-url', `${server.url}pretrained/no-such-checkpoint/`);
  await page.click('#add-checkpoint');
  await page.waitForFunction(() => (document.getElementById('errors')?.textContent ?? '') !== '');
  t.regex((await page.textContent('#errors'))!, /checkpoint .*no-such-checkpoint\/: cannot fetch http:\/\/127\.0\.0\.1:\d+\/pretrained\/no-such-checkpoint\/manifest\.json: HTTP 404/);
  t.true(await page.isVisible('#errors'));
  await page.screenshot({ path: path.join(ARTIFACTS, 'race-broken-checkpoint.png'), fullPage: true });
  await page.close();
});

test.serial('race page: keyboard moves the start point; pages fit a phone-sized screen', async (t) => {
  const page = await open('race.html?landscape=quadratic&learned=');
  await page.focus('#map');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowUp');
  t.is(Number(await page.inputValue('#start-x')), -1.42); // quadratic starts at (−1.5, 1.2); a key moves 1/50 of the 4-wide box
  t.is(Number(await page.inputValue('#start-y')), 1.28);
  t.regex(page.url(), /landscape=quadratic/);
  await page.close();
  for (const name of ['race', 'train', 'explore']) {
    const phone = await newTab({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${server.url}${name}.html${name === 'explore' ? '?runs=results/2d/runs.jsonl' : ''}`);
    await phone.waitForSelector('body[data-ready="true"]');
    if (name === 'explore') await phone.waitForSelector('body[data-loaded="true"]');
    const [scrollWidth, width] = await phone.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    t.true(scrollWidth <= width, `${name}.html is ${scrollWidth} px wide on a ${width} px screen`);
    await phone.screenshot({ path: path.join(ARTIFACTS, `${name}-phone.png`), fullPage: false });
    await phone.close();
  }
});

test.serial('training page: a classifier trained in the tab lowers its loss and gains accuracy', async (t) => {
  const page = await open('train.html?optimizer=adam&lr=0.01&epochs=2&backend=wasm');
  await page.click('#train');
  await page.waitForFunction(() => (window as unknown as { alphaoptTrain?: { done: boolean } }).alphaoptTrain?.done === true);
  t.is(await page.textContent('#errors'), '');
  const log = (await page.evaluate(() => (window as unknown as { alphaoptTrain: unknown }).alphaoptTrain)) as { losses: number[]; accuracies: number[] };
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  t.true(mean(log.losses.slice(-10)) < 0.5 * mean(log.losses.slice(0, 10)), `loss ${mean(log.losses.slice(0, 10))} → ${mean(log.losses.slice(-10))}`);
  t.true(log.accuracies[log.accuracies.length - 1]! > 0.8, `test accuracy ${log.accuracies.join(' → ')}`);
  t.is(await page.locator('#progress tbody tr').count(), 2);
  await page.screenshot({ path: path.join(ARTIFACTS, 'train.png'), fullPage: true });
  await page.close();
});

test.serial("explorer: the committed 2-D results show the summary's winners", async (t) => {
  const summary = await readFile('results/2d/summary.md', 'utf8');
  const winners = [...summary.matchAll(/^Winner on (\S+) by [^:]+: \*\*(.+?)\*\*/gm)].map((m) => [m[1], m[2]]);
  t.true(winners.length >= 8);
  const page = await open('explore.html?runs=results/2d/runs.jsonl');
  await page.waitForSelector('body[data-loaded="true"]');
  const shown = await page.$$eval('#winners tbody tr', (rows) => rows.map((r) => [r.children[0]!.textContent, r.children[1]!.textContent]));
  t.deepEqual(shown, winners);
  // The full tables are alphaopt report's own markdown, rendered.
  t.true((await page.locator('#report table').count()) >= winners.length);
  t.is(await page.locator('#plots svg').count(), winners.length);
  await page.screenshot({ path: path.join(ARTIFACTS, 'explore.png'), fullPage: false });
  await page.close();
});

/**
 * The README's browser programs (blocks importing 'alphaopt/web'), as written: bundled by esbuild
 * for browsers with the package name pointed at this checkout's src/web/index.ts (the one change,
 * as readme-examples.test.ts does for Node), dropped into the built site next to the pages, and run
 * as a page's module script. Each must finish without error and log only finite numbers.
 */
const readmeBrowserPrograms = browserPrograms(readmeBlocks());

test('the README has a browser program for this test to run', (t) => {
  t.true(readmeBrowserPrograms.length >= 1);
});

for (const block of readmeBrowserPrograms) {
  test.serial(`README.md:${block.line} (${block.lang}) runs as written in a page of the built site`, async (t) => {
    const name = `readme-example-${block.line}`;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'alphaopt-readme-web-'));
    const files = [`${name}.js`, `${name}.html`].map((file) => path.join(siteDir, file));
    try {
      const source = path.join(dir, `example.${block.lang}`);
      await writeFile(source, block.code.replaceAll(WEB_IMPORT, `from '${path.resolve('src/web/index.ts')}'`));
      await esbuild.build({ entryPoints: [source], outfile: files[0], bundle: true, format: 'esm', platform: 'browser', logLevel: 'silent' });
      // The page records whether the program's module finished or threw.
      await writeFile(
        files[1]!,
        `<!doctype html>\n<meta charset="utf-8">\n<title>${name}</title>\n<link rel="icon" href="data:,">\n<script type="module">\n` +
          `try { await import('./${name}.js'); document.documentElement.dataset.done = 'ok'; }\n` +
          `catch (error) { document.documentElement.dataset.done = String(error?.stack ?? error); }\n</script>\n`,
      );
      const page = await newTab();
      const problems: string[] = [];
      const logged: Array<Promise<unknown[]>> = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`${message.text()} (${message.location().url})`);
        if (message.type() === 'log') logged.push(Promise.all(message.args().map((arg) => arg.jsonValue())));
      });
      await page.goto(`${server.url}${name}.html`);
      await page.waitForSelector('html[data-done]');
      t.is(await page.getAttribute('html', 'data-done'), 'ok', `README.md:${block.line} threw`);
      t.deepEqual(problems, []);
      const values = (await Promise.all(logged)).flat(Infinity);
      t.log(`README.md:${block.line} logged: ${JSON.stringify(values)}`);
      const numbers = values.filter((v): v is number => typeof v === 'number');
      t.true(numbers.length > 0 && numbers.every(Number.isFinite), `it logs finite numbers: ${JSON.stringify(values)}`);
      await page.close();
    } finally {
      await Promise.all([dir, ...files].map((file) => rm(file, { recursive: true, force: true })));
    }
  });
}
