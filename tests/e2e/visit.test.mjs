// What a careful first visit found (issue 12): reduced motion, text alternatives with the numbers,
// a keyboard way to set the initial state, adjusted links that say so, stale energy results, and
// the phone's layout of hints and the embedded loss plot.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, modelsReady, openPage, useServerAndBrowser } from './harness.mjs';

const ctx = useServerAndBrowser();

const SLOW = { timeout: 120000 };
const ready = (page) => modelsReady(page, SLOW.timeout);
const time = (page) => page.evaluate(() => Number(document.getElementById('time').textContent.split(' ')[0]));

test('a visitor who asks for reduced motion gets a still page that says how to start it', async () => {
  const page = await ctx.browser.newPage({ viewport: { width: 1100, height: 800 }, reducedMotion: 'reduce' });
  await page.goto(ctx.server.base);
  await ready(page);
  await page.waitForTimeout(700);
  assert.equal(await time(page), 0, 'the rollouts do not move');
  assert.match(await page.textContent('#status'), /reduced motion.*Play/);
  assert.equal(await page.textContent('#play'), 'Play');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.getElementById('time').textContent.split(' ')[0]) > 0.2);
  // A link that asks for motion in so many words gets it.
  await page.goto(`${ctx.server.base}?autoplay=1`);
  await ready(page);
  await page.waitForFunction(() => Number(document.getElementById('time').textContent.split(' ')[0]) > 0.2);
  await page.close();
});

test('the canvases\' text alternatives carry the state and the numbers, and follow them', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.base);
  await ready(page);
  await page.waitForFunction(() => /t = [1-9]/.test(document.getElementById('stage').getAttribute('aria-label')), null, SLOW);
  const stage = await page.getAttribute('#stage', 'aria-label');
  assert.match(stage, /^The double pendulum at t = [\d.]+ s\. true system: θ1 -?[\d.]+ rad, θ2 -?[\d.]+ rad, ω1 .*; LNN: θ1 .*; baseline MLP: θ1 /);
  const energy = await page.getAttribute('#energy-plot', 'aria-label');
  assert.match(energy, /true system: -?[\d.]+ at t = 0, -?[\d.]+ now; LNN: /);
  await page.waitForTimeout(1500);
  assert.notEqual(await page.getAttribute('#stage', 'aria-label'), stage, 'rewritten as the rollouts move');
  assert.match(await page.getAttribute('#loss', 'aria-label'), /no training yet|step/);
  // The training-quality plot names the model before the first reply (it read "null in training").
  assert.equal(await page.getAttribute('#quality', 'data-model'), 'LNN in training');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the initial state can be typed (keyboard), and what cannot be used is said', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.base);
  await ready(page);
  assert.equal(await page.inputValue('#set-x0'), '1, 2, 0, 0', 'the field shows the state in use');
  assert.match(await page.textContent('label[for="set-x0"]'), /Initial state \(θ1, θ2, ω1, ω2\)/);
  await page.fill('#set-x0', '0.5, -0.5, 0, 0');
  await page.press('#set-x0', 'Enter');
  await page.waitForFunction(() => location.search.includes('x0=0.5,-0.5,0,0'));
  await page.fill('#set-x0', '4, 0, 0, 0');
  await page.press('#set-x0', 'Tab');
  await page.waitForFunction(() => /θ1 = 4 → -2.2832/.test(document.getElementById('status').textContent));
  assert.equal(await page.inputValue('#set-x0'), '-2.2832, 0, 0, 0');
  assert.deepEqual(errors, []);
  await page.close();

  // A link the page has to adjust says so, and the link and the snippet carry what runs.
  const rel = await openPage(ctx.browser, `${ctx.server.base}?system=relativistic&x0=0,5,2`);
  await ready(rel.page);
  assert.match(await rel.page.textContent('#status'), /adjusted: x0: q̇ = 5 → 0.99/);
  assert.match(await rel.page.inputValue('#link'), /x0=0,0.99,2/);
  assert.match(await rel.page.inputValue('#embed-code'), /x0="0,0.99,2"/);
  await rel.page.close();
  const short = await openPage(ctx.browser, `${ctx.server.base}?x0=1,2,3`);
  await ready(short.page);
  assert.match(await short.page.textContent('#status'), /initial state has 4 entries .* not 3; using the default/);
  assert.doesNotMatch(await short.page.inputValue('#link'), /x0=/);
  await short.page.close();
});

test('an energy-error result is marked out of date once the slot shows another model', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?hidden=16,16`);
  await ready(page);
  const row = '.energy-row[data-slot="lnn"]';
  await page.click(`${row} button`);
  await page.waitForFunction((r) => document.querySelector(r).dataset.state === 'done', row, SLOW);
  assert.equal(await page.getAttribute(row, 'data-stale'), '');
  await page.keyboard.press('s'); // one training step: the slot now shows the model in training
  await page.waitForFunction((r) => document.querySelector(r).dataset.stale === '1', row, SLOW);
  assert.match(await page.textContent(`${row} .energy-detail`), /out of date: computed for shipped weights \([\d,]+ steps\); the slot now shows trained here, step 1\. Run it again/);
  // Step counts read the same everywhere: with thousands separators.
  assert.match(await page.textContent('#legend'), /shipped weights \(\d{1,3}(,\d{3})+ steps\)/);
  // A switch of system clears the results.
  await page.selectOption('#set-system', 'relativistic');
  await page.selectOption('#set-system', 'double-pendulum');
  await ready(page);
  assert.equal(await page.textContent(`${row} .energy-result`), '');
  assert.deepEqual(errors, []);
  await page.close();
});

test('on a phone: no key hints, and the embedded loss plot is tall enough for its ticks', async () => {
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
  const page = await ctx.browser.newPage(phone);
  await page.goto(ctx.server.base);
  await ready(page);
  assert.ok(!(await page.locator('.key-hints').isVisible()), 'key hints are for keyboards');
  await page.goto(`${ctx.server.base}?embed=1&controls=play,train&views=stage,loss`);
  await ready(page);
  const h = await page.evaluate(() => document.getElementById('loss').getBoundingClientRect().height);
  assert.ok(h >= 130, `the embedded loss plot is ${h} px high`);
  const pad = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('main')).paddingLeft));
  assert.ok(pad > 0, 'embed mode keeps a margin');
  await page.screenshot({ path: join(artifacts, 'embed-phone.png'), fullPage: true });
  await page.close();
  const desktop = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await desktop.goto(ctx.server.base);
  await ready(desktop);
  assert.ok(await desktop.locator('.key-hints').isVisible(), 'a desktop shows them');
  await desktop.close();
});

test('a network too large to train responsively is refused with the reason; a large one keeps the page drawing', async () => {
  // 199k parameters on a batch of 4,096: one step took 8 s, frames fell to 4/s, Pause took 2.6 s.
  let { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?hidden=256,256,256,256&batch=4096`);
  await ready(page);
  await page.waitForFunction(() => /cannot train with these settings/.test(document.getElementById('train-status').textContent), null, SLOW);
  assert.match(await page.textContent('#train-status'), /this network has 199,\d{3} parameters: one training call on a batch of 4,096 would take about [\d.]+ s .* Use narrower or fewer layers/);
  await page.click('#train');
  await page.waitForTimeout(1000);
  assert.equal(await page.textContent('#train-step'), '0', 'nothing trained');
  assert.deepEqual(errors.filter((e) => !/cannot train/.test(e)), []);
  await page.close();

  // 256×256 trains; its rollout takes fewer sub-steps (and says so) so that frames keep coming.
  ({ page, errors } = await openPage(ctx.browser, `${ctx.server.base}?hidden=256,256`));
  await ready(page);
  await page.click('#train');
  await page.waitForFunction(() => /RK4 sub-steps a frame \(a large model\)/.test(document.querySelector('#legend li[data-slot="lnn"] small').textContent), null, SLOW);
  await page.waitForTimeout(2000);
  const fps = Number(await page.evaluate(() => document.body.dataset.fps));
  await page.click('#train');
  await page.waitForFunction(() => document.body.dataset.pauseMs !== undefined, null, SLOW);
  const pauseMs = Number(await page.evaluate(() => document.body.dataset.pauseMs));
  console.log(`# 256×256 LNN in training: ${fps} frames/s, Pause answered in ${pauseMs} ms, frames per rollout step ${await page.evaluate(() => document.body.dataset.framesPerStep)}`);
  // Not a speed target (see the bench), a sanity bound: it took 2.6 s before.
  assert.ok(pauseMs < 1000, `Pause took ${pauseMs} ms`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('training the wave from its defaults: the loss falls within seconds, and a stopped rollout says what to do on this page', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?system=wave`);
  await ready(page);
  await page.click('#train');
  const texts = new Set();
  const step = "Number(document.getElementById('train-step').textContent.replace(/,/g, ''))";
  // An untrained graph LNN's mass matrix is singular somewhere along the pulse: its rollout stops
  // in the first second (the engine's advice is for the CLI's --solver, which the page lacks).
  while (texts.size < 50) {
    texts.add(await page.textContent('#legend li[data-slot="graph-lnn"] small'));
    if (await page.evaluate(step) >= 3000) break;
    await page.waitForTimeout(100);
  }
  for (const text of texts) {
    assert.doesNotMatch(text, /solver|ridge/, 'advice the page cannot follow');
    if (/mass matrix/.test(text)) assert.match(text, /train|Reset/);
  }
  // Same seed, same numbers: at step 3,000 of the default one-cycle schedule the test MSE is
  // ~400 (from ~1e12 at step 0; natively 441 at step 2,800).
  await page.waitForFunction(`${step} >= 3000`, null, SLOW);
  const test = await page.evaluate(() => Number(document.getElementById('test-loss').textContent.replace(/,/g, '')));
  assert.ok(test < 1e4, `test loss ${test} at step 3,000`);
  assert.deepEqual(errors, []);
  await page.close();
});
