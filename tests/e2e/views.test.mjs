// The other views of the page: the relativistic particle, embed mode, the <lnn-demo> widget in the
// lecture-notes example, the keyboard, labels, and the timings the page exposes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, canvasDigest, modelsReady, openPage, useServerAndBrowser } from './harness.mjs';

const ctx = useServerAndBrowser();

const SLOW = { timeout: 60000 };
const ready = (page) => modelsReady(page, SLOW.timeout);


const visible = (frame, selector) => frame.locator(selector).first().isVisible();

test('the relativistic view shows the truth, the LNN and both HNNs, and q(t) of each', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?system=relativistic`);
  await ready(page);
  const slots = await page.$$eval('#legend li', (li) => li.map((e) => [e.dataset.slot, e.dataset.source]));
  assert.deepEqual(slots, [['truth', 'truth'], ['lnn', 'shipped'], ['hnn', 'shipped'], ['hnn-canonical', 'shipped']]);
  assert.ok(await visible(page, '#trajectory'), 'the q(t) plot is shown');
  assert.ok(!(await visible(page, '#energy-plot')), 'the energy plot is the double pendulum\'s');
  const a = await canvasDigest(page, 'trajectory');
  await page.waitForTimeout(500);
  assert.notEqual(await canvasDigest(page, 'trajectory'), a, 'q(t) grows as the rollouts advance');
  await page.waitForFunction(() => Number(document.getElementById('time').textContent.split(' ')[0]) > 3, null, SLOW);
  await page.screenshot({ path: join(artifacts, 'relativistic.png') });
  // Switching the system in the page goes back to the double pendulum and into the URL.
  await page.selectOption('#set-system', 'double-pendulum');
  await page.waitForFunction(() => document.querySelectorAll('#legend li').length === 3 && document.body.dataset.system === 'double-pendulum');
  assert.ok(!page.url().includes('system='), 'the default system is not spelled out');
  assert.deepEqual(errors, []);
  await page.close();
});

test('embed mode shows only the chosen controls and no text', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?embed=1&controls=play,reset`, { width: 600, height: 700 });
  await ready(page);
  assert.ok(await visible(page, '#play'));
  assert.ok(await visible(page, '#reset'));
  for (const hidden of ['#randomise', '#train', '#save', '#set-model', 'header', 'footer', '#status', '.lede']) {
    assert.ok(!(await visible(page, hidden)), `${hidden} should be hidden in embed mode`);
  }
  assert.ok(await visible(page, '#stage'));
  assert.ok(await visible(page, '#energy-plot'));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
  await page.screenshot({ path: join(artifacts, 'embed.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the lecture-notes example embeds two working widgets', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}lecture-notes.html`, { width: 900, height: 900 });
  await page.waitForFunction(() => document.querySelectorAll('lnn-demo').length === 2);
  const frames = () => page.frames().filter((f) => f.url().includes('embed=1'));
  for (let i = 0; i < 200 && frames().length < 2; i++) await page.waitForTimeout(100);
  const [pendulum, particle] = frames().sort((a, b) => a.url().localeCompare(b.url()));
  assert.ok(pendulum && particle, `two embedded pages, got ${page.frames().map((f) => f.url())}`);
  for (const f of [pendulum, particle]) await ready(f);
  assert.equal(await pendulum.evaluate(() => document.body.dataset.system), 'double-pendulum');
  assert.equal(await particle.evaluate(() => document.body.dataset.system), 'relativistic');
  // Each one moves, shows the controls its element asks for, and no page text.
  for (const f of [pendulum, particle]) {
    await (await f.frameElement()).scrollIntoViewIfNeeded(); // off-screen, a widget rests
    const a = await canvasDigest(f, 'stage');
    await f.waitForFunction((n) => Number(document.body.dataset.frames) > n + 10, Number(await f.evaluate(() => document.body.dataset.frames)));
    assert.notEqual(await canvasDigest(f, 'stage'), a, `${f.url()} should animate`);
    assert.ok(await visible(f, '#play'));
    assert.ok(!(await visible(f, 'header')));
  }
  assert.ok(!(await visible(pendulum, '#train')), 'the first widget has no training controls');
  assert.ok(await visible(particle, '#train'), 'the second one trains');
  // The element sizes its iframe to the embedded content.
  const heights = await page.$$eval('lnn-demo', (els) => els.map((e) => e.shadowRoot.querySelector('iframe').getBoundingClientRect().height));
  assert.ok(heights.every((h) => h > 250), `iframe heights ${heights}`);
  await particle.click('#play');
  assert.equal(await particle.textContent('#play'), 'Play', 'the widget\'s controls work');
  await page.screenshot({ path: join(artifacts, 'lecture-notes.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('keyboard: R resets the clock, N randomises into the URL, T starts training', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.base + '?hidden=8&batch=8');
  await ready(page);
  await page.waitForFunction(() => document.getElementById('time').textContent !== '0.00 s');
  await page.keyboard.press('Space'); // pause
  await page.keyboard.press('r');
  assert.equal(await page.textContent('#time'), '0.00 s');
  await page.keyboard.press('n');
  await page.waitForFunction(() => location.search.includes('x0='));
  await page.keyboard.press('t');
  await page.waitForFunction(() => Number(document.getElementById('loss').dataset.step) > 0, null, SLOW);
  await page.keyboard.press('t');
  assert.equal(await page.getAttribute('#train', 'aria-pressed'), 'false');
  assert.deepEqual(errors, []);
  await page.close();
});

test('every control has an accessible name, and the page reports its timings', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.base);
  await ready(page);
  const unnamed = await page.$$eval('button, input, select, textarea', (els) => els
    .filter((e) => !(e.labels?.length || e.getAttribute('aria-label') || e.textContent.trim()))
    .map((e) => e.outerHTML.slice(0, 80)));
  assert.deepEqual(unnamed, []);
  const d = await page.evaluate(() => ({ ...document.body.dataset }));
  assert.ok(Number(d.firstFrameMs) > 0, `time to first frame ${d.firstFrameMs}`);
  await page.waitForFunction(() => Number(document.body.dataset.fps) > 0, null, SLOW);
  assert.deepEqual(errors, []);
  await page.close();
});
