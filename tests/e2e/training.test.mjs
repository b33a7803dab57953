// Training in the browser: the worker, the loss curve, pause/step/reset, weights files, the URL.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, modelsReady, openPage, useServerAndBrowser } from './harness.mjs';

const ctx = useServerAndBrowser();

// Generous timeouts: the machine running the tests may be busy (2 cores, shared).
const SLOW = { timeout: 60000 };
const ready = (page) => modelsReady(page, SLOW.timeout);
// The worker's step as the page last heard it (set on each reply; the loss canvas's data-step
// waits for the next frame, which a 400-step run of a tiny network can beat).
const trainStep = (page) => page.evaluate(() => Number(document.body.dataset.trainStep ?? 0));
const source = (page, slot) => page.getAttribute(`#legend li[data-slot="${slot}"]`, 'data-source');

// A small network so that the loss falls within seconds. The schedule is long on purpose: a
// worker that runs a few thousand steps per second used to finish a 3000-step schedule before the
// first loss points were averaged, and the loss froze near predicting 0 (a flaky "loss falls").
const SMALL = '?hidden=16,16&batch=16&steps=30000';

test('Train advances the step counter and the loss curve, and the loss falls', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.base + SMALL);
  await ready(page);
  assert.equal(await source(page, 'lnn'), 'shipped', 'the page opens on the shipped weights');
  await page.click('#train');
  assert.equal(await page.getAttribute('#train', 'aria-pressed'), 'true');
  await page.waitForFunction(() => {
    const d = document.getElementById('loss').dataset;
    return Number(d.step) >= 1500 && Number(d.lastLoss) < 0.7 * Number(d.firstLoss);
  }, null, SLOW);
  const d = await page.evaluate(() => ({ ...document.getElementById('loss').dataset }));
  assert.ok(Number(d.points) >= 10, `loss points ${d.points}`);
  assert.ok(Number(await page.textContent('#samples-per-s').then((t) => t.replaceAll(',', ''))) > 0);
  assert.equal(await source(page, 'lnn'), 'training', 'the LNN rollout follows the trained parameters');
  assert.ok(Number(await page.evaluate(() => document.body.dataset.fps)) > 0, 'frames per second are measured');
  await page.screenshot({ path: join(artifacts, 'training.png') });

  // Pause: the counter stops (after the slice in flight).
  await page.click('#train');
  await page.waitForFunction(() => document.getElementById('train').getAttribute('aria-pressed') === 'false');
  await page.waitForTimeout(400);
  const paused = await trainStep(page);
  await page.waitForTimeout(600);
  assert.equal(await trainStep(page), paused, 'no steps while paused');

  // S: exactly one step.
  await page.keyboard.press('s');
  await page.waitForFunction((n) => Number(document.getElementById('loss').dataset.step) === n + 1, paused, SLOW);

  // Reset: a fresh run at step 0, and the rollout back on the shipped weights.
  await page.click('#train-reset');
  await page.waitForFunction(() => document.getElementById('train-step').textContent === '0', null, SLOW);
  await page.waitForFunction(() => document.querySelector('#legend li[data-slot="lnn"]').dataset.source === 'shipped', null, SLOW);
  assert.deepEqual(errors, []);
  await page.close();
});

test('settings set in the controls go to the URL and come back on reload', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.base);
  await ready(page);
  await page.selectOption('#set-model', 'baseline');
  await page.selectOption('#set-activation', 'tanh');
  await page.fill('#set-hidden', '32, 16');
  await page.press('#set-hidden', 'Tab');
  await page.fill('#set-lr', '0.002');
  await page.press('#set-lr', 'Tab');
  await page.fill('#set-seed', '42');
  await page.press('#set-seed', 'Tab');
  await page.click('#randomise');
  await page.waitForFunction(() => location.search.includes('seed=42') && location.search.includes('x0='));
  const url = page.url();
  for (const part of ['model=baseline', 'hidden=32,16', 'activation=tanh', 'lr=0.002', 'seed=42']) {
    assert.ok(url.includes(part), `${part} missing from ${url}`);
  }
  assert.equal(await page.inputValue('#link'), url, 'the share box shows the same link');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ctx.server.base });
  await page.click('#copy-link');
  await page.waitForFunction(() => document.getElementById('weights-status').textContent === 'link copied');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url, 'Copy link copies it');
  const values = () => page.evaluate(() => Object.fromEntries(
    [...document.querySelectorAll('#train-controls [name], #system-controls [name]')].map((e) => [e.name, e.value]),
  ));
  const before = await values();
  await page.goto(url);
  await ready(page);
  assert.equal(page.url(), url, 'the reloaded page keeps the link as it was');
  assert.deepEqual(await values(), before);
  assert.match(await page.textContent('#train-model'), /baseline MLP 32×16/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a corrupt weights file is refused with a message and the model kept; a good one loads', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.base);
  await ready(page);
  const good = await readFile(join(import.meta.dirname, '..', '..', 'www', 'models', 'double-pendulum-baseline.json'));
  const status = '#weights-status';
  // Truncated JSON.
  await page.setInputFiles('#load', { name: 'broken.json', mimeType: 'application/json', buffer: good.subarray(0, 500) });
  await page.waitForFunction((s) => document.querySelector(s).classList.contains('error'), status);
  assert.match(await page.textContent(status), /could not load broken\.json: not a valid weights file.*current model is kept/);
  // Valid JSON, wrong number of parameters.
  const file = JSON.parse(good.toString());
  file.params = file.params.slice(1);
  await page.setInputFiles('#load', { name: 'short.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
  await page.waitForFunction((s) => document.querySelector(s).textContent.includes('short.json'), status);
  assert.match(await page.textContent(status), /could not load short\.json: weights file: .*param/i);
  // A field of the wrong type is named (serde alone said "invalid type: integer `1`, expected a
  // string at line 1 column 49"), and a JSON array is not taken for a weights file.
  await page.setInputFiles('#load', { name: 'typed.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...file, model: 1 })) });
  await page.waitForFunction((s) => document.querySelector(s).textContent.includes('typed.json'), status);
  assert.match(await page.textContent(status), /could not load typed\.json: .*in `model`: invalid type: integer `1`, expected a string/);
  await page.setInputFiles('#load', { name: 'list.json', mimeType: 'application/json', buffer: Buffer.from('[1]') });
  await page.waitForFunction((s) => document.querySelector(s).textContent.includes('list.json'), status);
  assert.match(await page.textContent(status), /could not load list\.json: .*a weights file is a JSON object/);
  // A model of another system.
  const other = await readFile(join(import.meta.dirname, '..', '..', 'www', 'models', 'relativistic-lnn.json'));
  await page.setInputFiles('#load', { name: 'rel.json', mimeType: 'application/json', buffer: other });
  await page.waitForFunction((s) => document.querySelector(s).textContent.includes('rel.json'), status);
  assert.match(await page.textContent(status), /switch the system first/);
  // Through all of that the model stayed and kept moving.
  assert.equal(await source(page, 'lnn'), 'shipped');
  assert.equal(await source(page, 'baseline'), 'shipped');
  const f = await page.evaluate(() => Number(document.body.dataset.frames));
  await page.waitForFunction((n) => Number(document.body.dataset.frames) > n + 10, f);
  // A good file loads into its slot, and the settings follow it.
  await page.setInputFiles('#load', { name: 'mine.json', mimeType: 'application/json', buffer: good });
  await page.waitForFunction(() => document.querySelector('#legend li[data-slot="baseline"]').dataset.source === 'file');
  assert.match(await page.textContent(status), /loaded mine\.json/);
  assert.equal(await page.inputValue('#set-model'), 'baseline');
  // Loading restarted every rollout, the true system's history too: the energy plot spans the
  // time since the restart only (a regression: the truth's history used to run on).
  await page.waitForFunction(() => Number(document.body.dataset.frames) > 0 && document.getElementById('time').textContent !== '0.00 s');
  const { tMax, time } = await page.evaluate(() => ({
    tMax: Number(document.getElementById('energy-plot').dataset.tMax),
    time: Number(document.getElementById('time').textContent.split(' ')[0]),
  }));
  assert.ok(tMax <= time + 0.1, `energy plot reaches t = ${tMax} s, the clock says ${time} s`);
  assert.ok(page.url().includes('model=baseline'));
  await page.screenshot({ path: join(artifacts, 'weights-loaded.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a loaded file counts on from its own step; the schedule stops at its end and the page says so', async () => {
  const save = async (page) => {
    const [download] = await Promise.all([page.waitForEvent('download', SLOW), page.click('#save')]);
    return readFile(await download.path(), 'utf8');
  };
  const status = () => page.textContent('#train-status');
  // A 200-step schedule: Train runs it and stops by itself at its end, saying so.
  let { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?hidden=8,8&batch=4&steps=200`);
  await ready(page);
  await page.click('#train');
  await page.waitForFunction(() => document.getElementById('train').getAttribute('aria-pressed') === 'false', null, SLOW);
  // The counter is drawn on the next frame after the worker's reply.
  await page.waitForFunction(() => document.getElementById('train-step').textContent === '200', null, SLOW);
  await page.waitForTimeout(300);
  assert.equal(await trainStep(page), 200, 'stopped exactly at the end of the schedule');
  assert.match(await status(), /schedule's 200 steps are done.*Training stopped/);
  assert.match(await page.textContent('#train-total'), /of 200 \(schedule done\)/);
  const trained = await save(page);
  assert.equal(JSON.parse(trained).step, 200);
  // Train again: the visitor chose to go on, past the end, until paused.
  await page.click('#train');
  assert.match(await status(), /Past the end of the schedule/);
  await page.waitForFunction(() => Number(document.getElementById('loss').dataset.step) > 300, null, SLOW);
  await page.click('#train');
  assert.deepEqual(errors, []);
  await page.close();

  // Loaded with a longer schedule, the file counts on from 200 (it restarted at 0 once) and the
  // schedule carries on from there: Train stops at 600, and the saved file says 600.
  ({ page, errors } = await openPage(ctx.browser, `${ctx.server.base}?hidden=8,8&batch=4&steps=600`));
  await ready(page);
  await page.setInputFiles('#load', { name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(trained) });
  await page.waitForFunction(() => document.getElementById('train-step').textContent === '200', null, SLOW);
  assert.match(await page.textContent('#train-total'), /^of 600$/);
  await page.click('#train');
  await page.waitForFunction(() => /schedule's 600 steps are done/.test(document.getElementById('train-status').textContent), null, SLOW);
  assert.equal(await trainStep(page), 600);
  assert.equal(JSON.parse(await save(page)).step, 600);
  // Loaded with the 200-step schedule, it is past its end at once, and the page says so.
  await page.fill('#set-steps', '200');
  await page.press('#set-steps', 'Tab');
  await page.evaluate(() => document.activeElement.blur()); // the S key below is the page's, not a field's
  await page.setInputFiles('#load', { name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(trained) });
  await page.waitForFunction(() => /past the end of the schedule/.test(document.getElementById('train-status').textContent), null, SLOW);
  await page.keyboard.press('s');
  await page.waitForFunction(() => Number(document.getElementById('loss').dataset.step) === 201, null, SLOW);
  assert.equal(JSON.parse(await save(page)).step, 201);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Save weights downloads a weights file of the trained model', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.base + SMALL);
  await ready(page);
  await page.keyboard.press('s'); // one training step: the slot now shows the trained model
  await page.waitForFunction(() => document.querySelector('#legend li[data-slot="lnn"]').dataset.source === 'training', null, SLOW);
  const [download] = await Promise.all([page.waitForEvent('download', SLOW), page.click('#save')]);
  const file = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(file.format, 'lnn-web-weights');
  assert.equal(file.model, 'lnn');
  assert.deepEqual(file.hidden, [16, 16]);
  assert.equal(file.step, 1);
  assert.match(download.suggestedFilename(), /^double-pendulum-lnn-step1\.json$/);
  assert.deepEqual(errors, []);
  await page.close();
});

/**
 * The page with a handle on every worker it starts (`window.testWorkers`), to send one the
 * test-only crash and exhaust commands.
 */
async function pageWithWorkers() {
  const page = await ctx.browser.newPage({ viewport: { width: 1100, height: 800 } });
  await page.addInitScript(() => {
    const Real = window.Worker;
    window.testWorkers = [];
    window.Worker = class extends Real {
      constructor(...args) {
        super(...args);
        window.testWorkers.push(this);
      }
    };
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(ctx.server.base + SMALL);
  await ready(page);
  return { page, errors };
}

test('a crashed training worker is reported and replaced by a working one', async () => {
  const { page, errors } = await pageWithWorkers();
  await page.evaluate(() => window.testWorkers[0].postMessage({ v: 1, type: 'crash', run: 0 }));
  await page.waitForFunction(() => /stopped.*restarted/.test(document.getElementById('train-status').textContent), null, SLOW);
  assert.equal(await page.evaluate(() => window.testWorkers.length), 2, 'a new worker was started');
  await page.click('#train');
  await page.waitForFunction(() => Number(document.getElementById('loss').dataset.step) > 100, null, SLOW);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a training worker that runs out of memory says so, and is replaced by a working one', async () => {
  const { page, errors } = await pageWithWorkers();
  // The worker's wasm memory filled to the browser's limit; then a trainer is built, as on a
  // configure, and its allocation is refused. Without memory.rs this read "(unreachable)".
  await page.evaluate(() => window.testWorkers[0].postMessage({ v: 1, type: 'exhaust', run: 0 }));
  await page.waitForFunction(() => /stopped/.test(document.getElementById('train-status').textContent), null, SLOW);
  assert.match(await page.textContent('#train-status'),
    /the training worker stopped \(out of memory: a request for [\d.]+ [KMG]B was refused with [\d.]+ GB of WebAssembly memory in use.*\); it was restarted/);
  assert.equal(await page.evaluate(() => window.testWorkers.length), 2, 'a new worker was started');
  await page.click('#train');
  await page.waitForFunction(() => Number(document.getElementById('loss').dataset.step) > 100, null, SLOW);
  assert.deepEqual(errors, []);
  await page.close();
});

test('while training, the model is re-scored on the quick energy protocol and plotted against the shipped models', async () => {
  // A schedule long enough not to end (and stop training) before the first scoring at 10 s.
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?hidden=16,16&batch=16&steps=2000000`);
  await ready(page);
  const q = () => page.evaluate(() => ({ ...document.getElementById('quality').dataset, status: document.getElementById('quality-status').textContent }));
  assert.equal((await q()).points, '0', 'no point before training');
  await page.click('#train');
  // The first scoring comes after 10 s of training; the shipped models' references are scored
  // first (a few seconds each in wasm).
  await page.waitForFunction(() => Number(document.getElementById('quality').dataset.points) >= 1, null, { timeout: 120000 });
  const d = await q();
  assert.equal(d.references, 'lnn,baseline', 'both reference lines are there');
  assert.ok(Number.isFinite(Number(d.last)) && Number(d.last) >= 0, `last score ${d.last}`);
  assert.match(d.status, /^LNN after 0:1\d of training \(step [\d,]+\): mean [\d.e-]+ %, \d of 8 diverged\. The rollouts start again/);
  // The first score is the best yet: the rollouts started again from the initial state on it.
  assert.equal(d.restarts, '1');
  await page.locator('.view-loss').screenshot({ path: join(artifacts, 'training-quality.png') });
  // Pausing stops the clock: no new point while paused.
  await page.click('#train');
  await page.waitForTimeout(1500);
  const paused = (await q()).points;
  await page.waitForTimeout(2000);
  assert.equal((await q()).points, paused);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a run that diverges says so and what to change (a learning rate of 1, no clipping)', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?hidden=16,16&lr=1&schedule=constant&clip=0`);
  await ready(page);
  await page.click('#train');
  await page.waitForFunction(() => /diverging|skipped|no longer a finite/.test(document.getElementById('train-status').textContent), null, SLOW);
  assert.match(await page.textContent('#train-status'), /lower the learning rate \(now 1\) or turn on gradient clipping/);
  assert.deepEqual(errors, []);
  await page.close();
});
