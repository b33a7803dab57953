// The ways into lecture notes: the anywidget module (dist/js/lnn-widget.mjs) in a minimal host that
// hands it a model as anywidget does, and the battery rule (nothing drawn or trained unseen).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, modelsReady, openPage, useServerAndBrowser } from './harness.mjs';

const ctx = useServerAndBrowser();
const SLOW = { timeout: 120000 };

/** The demo's frame inside the host's <lnn-demo>, once its models are ready. */
async function demoFrame(page) {
  await page.waitForFunction(() => document.querySelector('lnn-demo')?.shadowRoot.querySelector('iframe')?.src, null, SLOW);
  let frame;
  for (let i = 0; i < 100 && !frame; i++) {
    frame = page.frames().find((f) => f.url().includes('embed=1'));
    if (!frame) await page.waitForTimeout(100);
  }
  assert.ok(frame, 'the widget made an embedded page');
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
