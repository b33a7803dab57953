// The ways into lecture notes: the anywidget module (dist/js/lnn-widget.mjs) in a minimal host that
// hands it a model as anywidget does, the battery rule (nothing drawn or trained unseen), the
// model kept across reloads, and printing (stills and links in place of live canvases).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, frameWith, modelsReady, openPage, useServerAndBrowser } from './harness.mjs';

const ctx = useServerAndBrowser();
const SLOW = { timeout: 120000 };

/** The demo's frame inside the host's <lnn-demo>, once its models are ready. */
async function demoFrame(page) {
  await page.waitForFunction(() => document.querySelector('lnn-demo')?.shadowRoot.querySelector('iframe')?.src, null, SLOW);
  const frame = await frameWith(page, 'embed=1', 100);
  await modelsReady(frame, SLOW.timeout);
  return frame;
}

const counters = (frame) => frame.evaluate(() => ({ frames: Number(document.body.dataset.frames), step: Number(document.body.dataset.trainStep ?? 0), seen: document.body.dataset.seen }));

test('the anywidget module renders from model.get, follows model changes, and its cleanup ends everything', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}anywidget-host.html`);
  let frame = await demoFrame(page);
  assert.equal(await frame.evaluate(() => document.body.dataset.system), 'double-pendulum');
  assert.match(frame.url(), /controls=play,reset,train/);
  assert.equal(await frame.isVisible('#train'), true, 'the controls of model.get("controls") are shown');
  assert.equal(await frame.isVisible('#randomise'), false, 'and no others');
  await page.screenshot({ path: join(artifacts, 'anywidget-host.png') });
  await page.click('#relativistic'); // model.set('system', 'relativistic') and its change event
  await page.waitForFunction(() => document.querySelector('lnn-demo').shadowRoot.querySelector('iframe').src.includes('system=relativistic'));
  frame = await demoFrame(page);
  assert.equal(await frame.evaluate(() => document.body.dataset.system), 'relativistic');
  await page.click('#clear'); // the cleanup render() returned
  await page.waitForFunction(() => !document.querySelector('#output lnn-demo'));
  assert.equal(page.frames().length, 1, 'no embedded page (and so no worker, no animation) is left');
  assert.deepEqual(errors, []);
  await page.close();
});

test('inlined as text (anywidget with a file path), the module finds the page through `base`', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}anywidget-host.html?inline=1&system=wave`);
  const frame = await demoFrame(page);
  assert.equal(await frame.evaluate(() => document.body.dataset.system), 'wave');
  assert.ok(frame.url().startsWith(ctx.server.base), frame.url());
  assert.deepEqual(errors, []);
  await page.close();
});

test('off-screen or in a hidden tab the widget draws no frames and takes no steps, and resumes when seen', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}anywidget-host.html?train=1&hidden=16,16`);
  await page.addStyleTag({ content: 'main { padding-bottom: 3000px }' });
  const frame = await demoFrame(page);
  await frame.waitForFunction(() => Number(document.body.dataset.trainStep) > 100, null, SLOW);
  const moving = async (expect) => {
    await page.waitForTimeout(400); // the pause reaches the worker within a slice (~15 ms)
    const a = await counters(frame);
    await page.waitForTimeout(1500);
    const b = await counters(frame);
    if (expect) {
      assert.ok(b.frames > a.frames + 20 && b.step > a.step, `seen: ${JSON.stringify([a, b])}`);
    } else {
      assert.deepEqual(b, a, 'nothing drawn and no step taken while unseen');
      assert.equal(b.seen, '0');
    }
  };
  await moving(true);
  await page.evaluate(() => scrollTo(0, 2500)); // the widget leaves the viewport
  await moving(false);
  await page.evaluate(() => scrollTo(0, 0));
  await moving(true);
  assert.equal(await frame.getAttribute('#train', 'aria-pressed'), 'true', 'Train still says it is training');
  // A hidden tab, as the page sees one: document.hidden and a visibilitychange event (headless
  // Chromium shows every page, so the browser's own switch cannot be made here).
  const setHidden = (hidden) => frame.evaluate((hidden) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await setHidden(true);
  await moving(false);
  await setHidden(false);
  await moving(true);
  assert.deepEqual(errors, []);
  await page.close();
});

test('with background=1 training goes on while unseen (the animation still rests)', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}anywidget-host.html?train=1&hidden=16,16&background=1`);
  await page.addStyleTag({ content: 'main { padding-bottom: 3000px }' });
  const frame = await demoFrame(page);
  await frame.waitForFunction(() => Number(document.body.dataset.trainStep) > 100, null, SLOW);
  await page.evaluate(() => scrollTo(0, 2500));
  await page.waitForTimeout(400);
  const a = await counters(frame);
  await page.waitForTimeout(1500);
  const b = await counters(frame);
  assert.equal(b.seen, '0');
  assert.equal(b.frames, a.frames, 'no frames drawn');
  assert.ok(b.step > a.step + 50, `training went on: ${a.step} -> ${b.step}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a widget keeps its trained model across a reload, says so, and starts over on request', async () => {
  const url = `${ctx.server.base}anywidget-host.html?hidden=16,16`;
  const { page, errors } = await openPage(ctx.browser, url);
  let frame = await demoFrame(page);
  assert.equal(await frame.isVisible('#kept'), false, 'nothing kept yet');
  await frame.click('#train');
  await frame.waitForFunction(() => Number(document.body.dataset.trainStep) > 300, null, SLOW);
  await frame.click('#train'); // the pause keeps the weights at once
  await page.waitForTimeout(500); // the worker's reply to the pause gives the exact step
  const step = await frame.evaluate(() => Number(document.body.dataset.trainStep));
  await page.reload();
  frame = await demoFrame(page);
  await frame.waitForFunction(() => document.body.dataset.restoredStep, null, SLOW);
  assert.equal(Number(await frame.evaluate(() => document.body.dataset.restoredStep)), step);
  assert.match(await frame.textContent('#kept-text'), new RegExp(`^Restored from step ${step.toLocaleString('en')}`));
  assert.equal(await frame.isVisible('#kept'), true);
  await frame.waitForFunction(() => document.querySelector('#legend li[data-slot="lnn"]')?.dataset.source === 'file');
  await frame.waitForFunction((s) => document.getElementById('train-step').textContent === s.toLocaleString('en'), step);
  await page.screenshot({ path: join(artifacts, 'widget-restored.png') });
  // Start over: a fresh network, and nothing restored on the next load.
  await frame.click('#start-over');
  assert.equal(await frame.isVisible('#kept'), false);
  await page.waitForTimeout(300);
  await page.reload();
  frame = await demoFrame(page);
  await page.waitForTimeout(500);
  assert.equal(await frame.evaluate(() => document.body.dataset.restoredStep), undefined);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a corrupt kept record is discarded with a note, and a refusing store is said, never fatal', async () => {
  const url = `${ctx.server.base}anywidget-host.html?hidden=8,8`;
  const context = await ctx.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  let frame = await demoFrame(page);
  // Plant a broken record under the widget's key, as a crashed or older page might have left.
  // (The slot is in the fragment of the iframe's src; the page has since rewritten its URL.)
  const src = await page.evaluate(() => document.querySelector('lnn-demo').shadowRoot.querySelector('iframe').src);
  await frame.evaluate(async (src) => {
    const { keyOf, slotOf } = await import('./js/keeper.js');
    const { parse } = await import('./js/params.js');
    const key = keyOf(slotOf(new URL(src).hash, ''), parse(location.search).state);
    const db = await new Promise((res, rej) => { const r = indexedDB.open('lnn-web', 1); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    await new Promise((res, rej) => { const tx = db.transaction('kept-models', 'readwrite'); tx.objectStore('kept-models').put({ json: '{"model": "lnn", "params": [1, 2' }, key); tx.oncomplete = res; tx.onerror = rej; });
  }, src);
  await page.reload(); // as a student would
  frame = await demoFrame(page);
  await frame.waitForFunction(() => !document.getElementById('kept').hidden, null, SLOW);
  assert.match(await frame.textContent('#kept-text'), /could not be read \(.+\) and was discarded/);
  assert.equal(await frame.evaluate(() => document.body.dataset.restoredStep), undefined);
  // A store that refuses every write (a full quota): said once, and training goes on.
  await page.reload();
  frame = await demoFrame(page);
  await frame.evaluate(() => {
    IDBObjectStore.prototype.put = function put() { throw new DOMException('the quota is used up', 'QuotaExceededError'); };
  });
  await frame.click('#train');
  await frame.waitForFunction(() => !document.getElementById('kept').hidden, null, SLOW);
  assert.match(await frame.textContent('#kept-text'), /did not keep the model \(QuotaExceededError: the quota is used up\)/);
  const a = await frame.evaluate(() => Number(document.body.dataset.trainStep));
  await page.waitForTimeout(800);
  assert.ok(await frame.evaluate(() => Number(document.body.dataset.trainStep)) > a, 'training goes on');
  assert.deepEqual(errors, []);
  await context.close();
});

test('printed to PDF, the lecture notes show still images and the links to each widget\'s settings', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}lecture-notes.html`, { width: 900, height: 900 });
  await page.waitForFunction(() => document.querySelectorAll('lnn-demo').length === 2);
  const frames = async () => page.frames().filter((f) => f.url().includes('embed=1'));
  for (let i = 0; i < 100 && (await frames()).length < 2; i++) await page.waitForTimeout(100);
  // Their models load off-screen too (the second widget is below the fold: it draws no frames).
  for (const f of await frames()) await f.waitForFunction(() => document.body.dataset.modelsReady === '1', null, SLOW);
  // The poster a tool can print in the widget's place.
  const poster = await page.evaluate(() => document.querySelector('lnn-demo').poster());
  assert.match(poster, /^data:image\/png;base64,/);
  assert.ok(poster.length > 5000, `a poster of ${poster.length} characters`);
  const pdf = join(artifacts, 'lecture-notes.pdf');
  writeFileSync(pdf, await page.pdf({ format: 'A4' }));
  const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
  // A long link wraps: its continuation lines are whole lines without a space.
  const links = [...text.matchAll(/Live and trainable at (\S+(?:\n\S+(?=\n))*)/g)].map((m) => m[1].replaceAll('\n', ''));
  assert.equal(links.length, 2, text);
  assert.ok(links.every((l) => l.startsWith(`${ctx.server.base}index.html?`)), links.join(' '));
  assert.match(links[1], /system=relativistic/);
  // One still per shown canvas: the stage and a plot in each widget (image rows, not their masks).
  const images = execFileSync('pdfimages', ['-list', pdf], { encoding: 'utf8' }).split('\n').filter((l) => /^\s*\d+\s+\d+\s+image\b/.test(l));
  assert.ok(images.length >= 4, `${images.length} images:\n${images.join('\n')}`);
  assert.deepEqual(errors, []);
  await page.close();
});
