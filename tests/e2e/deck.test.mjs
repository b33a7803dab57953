// The Reveal.js example deck (www/deck.html, reveal.js vendored): Reveal unloads a left slide's
// iframe, and the model trained on it comes back from the browser's storage (keeper.js) when the
// slide is shown again; the <lnn-demo> on another slide keeps its model too.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, frameWith, modelsReady, openPage, useServerAndBrowser } from './harness.mjs';

const ctx = useServerAndBrowser();
const SLOW = { timeout: 120000 };

const step = (frame) => frame.evaluate(() => Number(document.body.dataset.trainStep ?? 0));

/** Trains in `frame` past `min` steps, pauses, and returns the exact step of the pause. */
async function trainAndPause(page, frame, min) {
  await frame.click('#train');
  await frame.waitForFunction((n) => Number(document.body.dataset.trainStep) > n, min, SLOW);
  await frame.click('#train');
  await page.waitForTimeout(500); // the pause's reply, and the weights kept at it
  return step(frame);
}

test('a model trained on a slide survives Reveal unloading it, and the widget slide keeps its own', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}deck.html`, { width: 1280, height: 860 });
  await page.waitForFunction(() => window.deck?.isReady());
  let frame = await frameWith(page, 'hidden=32');
  await modelsReady(frame, SLOW.timeout);
  await page.screenshot({ path: join(artifacts, 'deck-slide1.png') });
  const trained = await trainAndPause(page, frame, 300);
  await page.evaluate(() => window.deck.slide(1));
  await page.waitForFunction(() => !document.querySelector('iframe.demo').hasAttribute('src'), null, SLOW);
  assert.equal(page.frames().some((f) => f.url().includes('hidden=32')), false, 'Reveal unloaded the slide\'s page');
  await page.evaluate(() => window.deck.slide(0));
  frame = await frameWith(page, 'hidden=32');
  await frame.waitForFunction(() => document.body.dataset.restoredStep, null, SLOW);
  assert.equal(Number(await frame.evaluate(() => document.body.dataset.restoredStep)), trained);
  assert.match(await frame.textContent('#kept-text'), /^Restored from step/);
  await frame.waitForFunction((s) => document.getElementById('train-step').textContent === s.toLocaleString('en'), trained);
  await page.screenshot({ path: join(artifacts, 'deck-restored.png') });
  // The <lnn-demo> slide: trained, left and revisited, it is still at its step or past it.
  await page.evaluate(() => window.deck.slide(2));
  const widget = await frameWith(page, 'system=relativistic');
  await modelsReady(widget, SLOW.timeout);
  const there = await trainAndPause(page, widget, 200);
  await page.evaluate(() => window.deck.slide(1));
  await page.waitForTimeout(300);
  await page.evaluate(() => window.deck.slide(2));
  const back = await frameWith(page, 'system=relativistic');
  await back.waitForFunction((s) => Number(document.body.dataset.trainStep ?? document.body.dataset.restoredStep) >= s
    || Number(document.body.dataset.restoredStep) >= s, there, SLOW);
  await page.screenshot({ path: join(artifacts, 'deck-widget.png') });
  assert.deepEqual(errors, []);
  await page.close();
});
