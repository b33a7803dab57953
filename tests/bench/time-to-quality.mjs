// Time to quality: how good an LNN a visitor gets by training on the real page for a few minutes.
//
// For each seed: opens the built page (dist/, served here on loopback) in headless Chromium with
// the page's default settings and that seed, presses Train, and at each checkpoint (minutes of
// wall-clock training) saves the model through the page's own Save weights button. After the last
// checkpoint the page is closed, and every saved model is scored with the paper's energy-error
// protocol (40 initial conditions near rest, t = 100; or the page's quick one) in the page's own
// worker code (worker.js, evaluate-energy), two at a time, or with `--score native` by the native
// `lnn eval` (target/release/lnn; the same bits, ~3x sooner): scoring happens after training, so
// it never takes CPU from the training it measures.
//
// Usage (after `trunk build --release`):
//   node tests/bench/time-to-quality.mjs --minutes M[,M2,...] --seeds 0,1,... [--protocol paper|quick]
//       [--query 'key=value&...'] [--parallel 2] [--score browser|native] [--screenshots DIR]
// Prints one JSON line per seed and checkpoint:
//   {"seed", "minutes", "steps", "samples_per_second", "test_loss", "energy_mean_percent",
//    "energy_median_percent", "diverged", "ics"}
// then (on stderr) a Markdown table of the same rows. `--query` adds URL settings to the page's
// defaults (for trying a recipe on the page before making it the default); `--screenshots DIR`
// saves the whole page at each checkpoint.
import { dirname, join } from 'node:path';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { launch, serveDist } from '../e2e/harness.mjs';

const execFileP = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function parseArgs(argv) {
  const opts = { minutes: [5], seeds: [0], protocol: 'paper', query: '', parallel: 2, score: 'browser', screenshots: null };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const val = argv[i + 1];
    const list = () => val.split(',').map((s) => {
      const v = Number(s);
      if (!Number.isFinite(v) || v < 0) throw new Error(`${key}: "${s}" is not a non-negative number`);
      return v;
    });
    if (val === undefined && key !== '--help') throw new Error(`${key} needs a value`);
    switch (key) {
      case '--minutes': opts.minutes = list().sort((a, b) => a - b); i++; break;
      case '--seeds': opts.seeds = list(); i++; break;
      case '--protocol':
        if (val !== 'paper' && val !== 'quick') throw new Error('--protocol: paper or quick');
        opts.protocol = val; i++; break;
      case '--query': opts.query = val.replace(/^\?/, ''); i++; break;
      case '--score':
        if (val !== 'browser' && val !== 'native') throw new Error('--score: browser or native');
        opts.score = val; i++; break;
      case '--screenshots': opts.screenshots = val; i++; break;
      case '--parallel': opts.parallel = Math.max(1, Math.floor(Number(val)) || 1); i++; break;
      case '--help':
        console.log('node tests/bench/time-to-quality.mjs --minutes M[,M2,...] --seeds 0,1,... [--protocol paper|quick] [--query k=v&...] [--parallel 2] [--score browser|native] [--screenshots DIR]');
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${key}`);
    }
  }
  if (opts.minutes.length === 0 || opts.minutes.some((m) => m <= 0)) throw new Error('--minutes: positive numbers');
  return opts;
}

// The same settings as the page's energy panel (energy-panel.js VARIANTS).
const PROTOCOLS = { paper: { initialConditions: 40, t: 100 }, quick: { initialConditions: 8, t: 20 } };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Trains one seed on the page; returns one record per checkpoint with the saved weights. */
async function trainSeed(browser, base, seed, opts) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const query = [`seed=${seed}`, opts.query].filter(Boolean).join('&');
  await page.goto(`${base}index.html?${query}`);
  await page.waitForFunction(() => document.body.dataset.modelsReady === '1', null, { timeout: 120_000 });
  const batch = await page.evaluate(() => Number(document.querySelector('[name="batch"]')?.value ?? NaN));
  await page.click('#train');
  const t0 = Date.now();
  const records = [];
  for (const minutes of opts.minutes) {
    const wait = t0 + minutes * 60_000 - Date.now();
    if (wait > 0) await sleep(wait);
    const download = page.waitForEvent('download', { timeout: 60_000 });
    await page.click('#save');
    const file = await download;
    const json = await readFile(await file.path(), 'utf8');
    const elapsed = (Date.now() - t0) / 1000;
    if (opts.screenshots) await page.evaluate(() => window.scrollTo(0, 0)); // Save scrolled the page
    if (opts.screenshots) await page.screenshot({ path: join(opts.screenshots, `ttq-seed${seed}-${minutes}min.png`), fullPage: true });
    const step = JSON.parse(json).step;
    const testLoss = await page.evaluate(() => Number(document.getElementById('test-loss').textContent));
    records.push({ seed, minutes, steps: step, samples_per_second: Math.round((step * batch) / elapsed), test_loss: testLoss, json });
    process.stderr.write(`seed ${seed}: ${minutes} min, step ${step}\n`);
  }
  if (errors.length) throw new Error(`seed ${seed}: the page reported errors: ${errors.join('; ')}`);
  await page.close();
  return records;
}

/** Scores saved models with the energy protocol in `parallel` workers of the page's own code. */
async function score(browser, base, records, settings, parallel) {
  const page = await browser.newPage();
  await page.goto(`${base}index.html?autoplay=0`);
  const jobs = records.map((r, i) => ({ i, json: r.json }));
  const reports = await page.evaluate(async ({ jobs, settings, parallel }) => {
    const { Cmd, Reply, message } = await import('./js/protocol.js');
    const start = () => new Promise((resolve, reject) => {
      const w = new Worker('js/worker.js', { type: 'module' });
      w.onerror = (e) => reject(new Error(e.message));
      w.onmessage = (e) => { if (e.data.type === Reply.ready) resolve(w); };
    });
    const run = (w, job) => new Promise((resolve, reject) => {
      w.onmessage = (e) => {
        const m = e.data;
        if (m.request !== job.i) return;
        if (m.type === Reply.energyError) resolve(m.report);
        else reject(new Error(m.message));
      };
      w.postMessage(message(Cmd.evaluateEnergy, 0, { request: job.i, json: job.json, settings }));
    });
    const out = [];
    const queue = [...jobs];
    await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, async () => {
      const w = await start();
      for (let job = queue.shift(); job; job = queue.shift()) out[job.i] = await run(w, job);
      w.terminate();
    }));
    return out;
  }, { jobs, settings, parallel });
  await page.close();
  return reports;
}

/** The same protocol by the native CLI, `parallel` processes at a time. */
async function scoreNative(records, settings, parallel) {
  const lnn = join(root, 'target', 'release', 'lnn');
  const dir = await mkdtemp(join(tmpdir(), 'ttq-'));
  const queue = records.map((r, i) => ({ i, json: r.json }));
  const out = [];
  await Promise.all(Array.from({ length: Math.min(parallel, queue.length) }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const file = join(dir, `model-${job.i}.json`);
      await writeFile(file, job.json);
      const { stdout } = await execFileP(lnn, ['eval', '--model', file, '--test-size', '1',
        '--energy-ics', String(settings.initialConditions), '--energy-t', String(settings.t)], { maxBuffer: 1 << 24 });
      const e = JSON.parse(stdout).energy_error;
      out[job.i] = { mean: e.mean, median: e.median, diverged: e.diverged, initialConditions: e.initial_conditions };
    }
  }));
  await rm(dir, { recursive: true, force: true });
  return out;
}

const pct = (v) => (v === null || !Number.isFinite(v) ? null : Number((100 * v).toPrecision(3)));

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const settings = PROTOCOLS[opts.protocol];
  const server = await serveDist();
  const browser = await launch();
  const rows = [];
  try {
    const records = [];
    for (const seed of opts.seeds) records.push(...await trainSeed(browser, server.base, seed, opts));
    process.stderr.write(`scoring ${records.length} models (${opts.protocol} protocol)\n`);
    const reports = opts.score === 'native'
      ? await scoreNative(records, settings, opts.parallel)
      : await score(browser, server.base, records, settings, opts.parallel);
    records.forEach((r, i) => {
      const rep = reports[i];
      const row = {
        seed: r.seed,
        minutes: r.minutes,
        steps: r.steps,
        samples_per_second: r.samples_per_second,
        test_loss: Number.isFinite(r.test_loss) ? r.test_loss : null,
        energy_mean_percent: pct(rep.mean),
        energy_median_percent: pct(rep.median),
        diverged: rep.diverged,
        ics: rep.initialConditions,
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    });
  } finally {
    await browser.close();
    server.stop();
  }
  const lines = [
    `| seed | minutes | steps | samples/s | test loss | energy error mean % | median % | diverged of ${settings.initialConditions} |`,
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.seed} | ${r.minutes} | ${r.steps} | ${r.samples_per_second} | ${r.test_loss} | ${r.energy_mean_percent} | ${r.energy_median_percent} | ${r.diverged} |`),
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
}

main().catch((e) => {
  console.error(e.message ?? e);
  process.exit(1);
});
