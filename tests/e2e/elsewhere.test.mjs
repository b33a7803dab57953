// Models trained elsewhere open in the page: a weights file written by the JAX trainer in python/
// (sharded over two simulated CPU devices) through the Load weights button, and any weights file
// through the link's `weights=URL` setting; a file that cannot be had or does not fit is said.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { artifacts, modelsReady, openPage, useServerAndBrowser } from './harness.mjs';

const ctx = useServerAndBrowser();
const SLOW = { timeout: 60000 };
const root = join(import.meta.dirname, '..', '..');
const source = (page, slot) => page.getAttribute(`#legend li[data-slot="${slot}"]`, 'data-source');
const trainStep = (page) => page.evaluate(() => Number(document.body.dataset.trainStep ?? 0));

// One JAX-trained file for the whole file: 40 steps of a 16×16 LNN, the batch of 8 sharded over
// two simulated devices (the trainer refuses a batch its devices do not divide).
let jaxFile;
let dir;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lnn-jax-'));
  const out = join(dir, 'jax-lnn.json');
  await promisify(execFile)(join(root, '.venv', 'bin', 'python'), [
    '-m', 'lnn_web.train', '--system', 'double-pendulum', '--model', 'lnn', '--hidden', '16,16',
    '--batch', '8', '--steps', '40', '--seed', '3', '--out', out,
  ], { cwd: root, env: { ...process.env, XLA_FLAGS: '--xla_force_host_platform_device_count=2' }, timeout: 240000 });
  jaxFile = readFileSync(out);
}, { timeout: 300000 });
after(() => rmSync(dir, { recursive: true, force: true }));

test('a weights file from the JAX trainer loads with the Load button, runs, and Train continues from it', async () => {
  const written = JSON.parse(jaxFile.toString());
  assert.equal(written.step, 40);
  assert.match(written.made_by, /lnn_web\.train.*2 devices/, 'the file says how it was made');
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?batch=8&steps=30000`);
  await modelsReady(page, SLOW.timeout);
  await page.setInputFiles('#load', { name: 'jax-lnn.json', mimeType: 'application/json', buffer: jaxFile });
  await page.waitForFunction(() => document.querySelector('#legend li[data-slot="lnn"]').dataset.source === 'file', null, SLOW);
  assert.match(await page.textContent('#weights-status'), /loaded jax-lnn\.json: .*16×16 softplus/);
  assert.deepEqual(await page.inputValue('#set-hidden'), '16,16', 'the settings follow the file');
  // Its rollout is drawn: frames go on and the slot's rollout has not failed.
  const f = await page.evaluate(() => Number(document.body.dataset.frames));
  await page.waitForFunction((n) => Number(document.body.dataset.frames) > n + 10, f, SLOW);
  assert.equal(await source(page, 'lnn'), 'file');
  // Train goes on from the file's step.
  await page.waitForFunction(() => document.getElementById('train-step').textContent === '40', null, SLOW);
  await page.click('#train');
  await page.waitForFunction(() => Number(document.body.dataset.trainStep ?? 0) > 140, null, SLOW);
  await page.click('#train');
  assert.ok(await trainStep(page) > 40);
  await page.screenshot({ path: join(artifacts, 'jax-weights.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('weights=URL opens the named file on load, and keeps it in the link', async () => {
  const page = await ctx.browser.newPage({ viewport: { width: 1100, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The file is served beside the page under trained/, as a course site would put it.
  await page.route('**/trained/jax-lnn.json', (route) => route.fulfill({ contentType: 'application/json', body: jaxFile }));
  await page.goto(`${ctx.server.base}?weights=trained/jax-lnn.json`);
  await modelsReady(page, SLOW.timeout);
  await page.waitForFunction(() => document.querySelector('#legend li[data-slot="lnn"]').dataset.source === 'file', null, SLOW);
  assert.match(await page.textContent('#weights-status'), /loaded jax-lnn\.json/);
  assert.equal(await source(page, 'baseline'), 'shipped', 'the other slot keeps its shipped model');
  assert.match(page.url(), /weights=trained%2Fjax-lnn\.json|weights=trained\/jax-lnn\.json/);
  assert.doesNotMatch(await page.textContent('#status'), /could not/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('weights=URL that cannot be fetched, or is of another system, is said and the shipped models run', async () => {
  let { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?weights=nowhere/missing.json`);
  await modelsReady(page, SLOW.timeout);
  await page.waitForFunction(() => /could not fetch/.test(document.getElementById('status').textContent), null, SLOW);
  assert.match(await page.textContent('#status'), /weights: could not fetch nowhere\/missing\.json \(HTTP 404.*showing the shipped models/);
  assert.equal(await source(page, 'lnn'), 'shipped');
  // The only errors are the 404 itself, as the server's response and as the console's line for it.
  assert.deepEqual(errors.filter((e) => !/^404 .*missing\.json$|status of 404/.test(e)), []);
  await page.close();

  ({ page, errors } = await openPage(ctx.browser, `${ctx.server.base}?system=relativistic&weights=models/double-pendulum-lnn.json`));
  await modelsReady(page, SLOW.timeout);
  await page.waitForFunction(() => /could not load/.test(document.getElementById('status').textContent), null, SLOW);
  assert.match(await page.textContent('#status'), /could not load double-pendulum-lnn\.json: it is a model of the double-pendulum.*add system=double-pendulum/);
  assert.equal(await source(page, 'lnn'), 'shipped');
  assert.deepEqual(errors, []);
  await page.close();
});
