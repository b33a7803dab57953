// The paper's energy-error number on the double-pendulum view: computed in a worker of its own
// (quick variant here: 8 initial conditions, t = 20; a few seconds each), while the page animates.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, modelsReady, openPage, useServerAndBrowser } from './harness.mjs';

const ctx = useServerAndBrowser();

const SLOW = { timeout: 120000 };
const ready = (page) => modelsReady(page, SLOW.timeout);
const frames = (page) => page.evaluate(() => Number(document.body.dataset.frames));
const row = (page, slot) => page.$eval(`.energy-row[data-slot="${slot}"]`, (r) => ({ ...r.dataset, text: r.querySelector('.energy-result').textContent }));

test('the energy error (quick variant) of the shipped LNN and baseline is finite, and the page keeps animating', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.base);
  await ready(page);
  assert.equal(await page.inputValue('#energy-variant'), 'quick', 'the quick variant is the default');
  // The button names the protocol it runs (it said "paper protocol" while the quick one ran).
  const button = '.energy-row[data-slot="lnn"] button';
  assert.equal(await page.textContent(button), 'Energy error (quick)');
  assert.equal(await page.getAttribute(button, 'aria-label'), 'Energy error (quick) of the LNN');
  await page.selectOption('#energy-variant', 'paper');
  await page.waitForFunction((b) => document.querySelector(b).textContent === 'Energy error (paper protocol)', button);
  await page.selectOption('#energy-variant', 'quick');
  await page.waitForFunction((b) => document.querySelector(b).textContent === 'Energy error (quick)', button);
  await page.click('.energy-row[data-slot="lnn"] button');
  await page.click('.energy-row[data-slot="baseline"] button');
  const lnn = await row(page, 'lnn');
  assert.equal(lnn.state, 'computing');
  assert.match(lnn.text, /computing… \(quick: 8 initial conditions, t = 20\)/);
  // The main thread is free meanwhile: frames keep coming while the worker computes.
  const f0 = await frames(page);
  await page.waitForTimeout(1000);
  const f1 = await frames(page);
  assert.ok(f1 - f0 > 10, `${f1 - f0} frames in 1 s while computing`);
  await page.waitForFunction(() => [...document.querySelectorAll('.energy-row')].every((r) => r.dataset.state === 'done'), null, SLOW);
  assert.ok((await frames(page)) > f1 + 10, 'still animating');
  for (const slot of ['lnn', 'baseline']) {
    const r = await row(page, slot);
    // The median counts diverged rollouts as infinite, so only the mean of the others and the
    // count are sure to be finite; the shipped LNN diverges on none of these 8 (measured: 0 of 8).
    assert.ok(Number.isFinite(Number(r.mean)) && Number(r.mean) >= 0, `${slot}: mean ${r.mean}`);
    assert.ok(Number(r.diverged) >= 0 && Number(r.diverged) <= 8, `${slot}: diverged ${r.diverged}`);
    assert.equal(r.variant, 'quick');
    assert.match(r.text, /^quick: mean [\d.]+ % · median .+ · diverged \d of 8 \(t = 20, 8 initial conditions\)$/);
    console.log(`# ${slot}: ${r.text} in ${r.seconds} s`);
  }
  assert.ok(Number.isFinite(Number((await row(page, 'lnn')).median)), 'the LNN\'s median is finite');
  await page.locator('#energy-panel').screenshot({ path: join(artifacts, 'energy-error.png') });
  assert.deepEqual(errors, []);
  await page.close();
});
