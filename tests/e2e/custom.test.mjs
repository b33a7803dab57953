// Your own Lagrangian on the page (issue 14): typed, it moves and keeps its energy; a bad one is
// refused with the column while the last good one runs; a preset trains; its link reopens it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { artifacts, modelsReady, openPage, useServerAndBrowser } from './harness.mjs';
import { join } from 'node:path';

const ctx = useServerAndBrowser();
const SLOW = { timeout: 120000 };
const energy = (page) => page.evaluate(() => Number(document.getElementById('energy').textContent));
const time = (page) => page.evaluate(() => Number(document.getElementById('time').textContent.split(' ')[0]));

async function type(page, id, text) {
  await page.fill(id, text);
  await page.locator(id).blur(); // a change is applied when the field is left (or on Enter)
}

test('a typed Lagrangian moves and keeps its energy; a bad one shows the error and the last good one runs on', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?system=custom`);
  await modelsReady(page, SLOW.timeout);
  assert.equal(await page.isVisible('#custom-panel'), true);
  // A harmonic oscillator in the pendulum preset's coordinate; the start is 3/4 up each range
  // (theta = 1.5, theta_dot = 2): E = 2 + 1.125.
  await type(page, '#set-lagrangian', 'theta_dot^2/2 - theta**2/2');
  await page.waitForFunction(() => /^L = theta_dot\^2\/2 - theta\^2\/2: 1 coordinate/.test(document.getElementById('custom-status').textContent));
  assert.match(page.url(), /lagrangian=theta_dot%5E2%2F2\+-\+theta\*\*2%2F2/);
  const t0 = await time(page);
  await page.waitForFunction((t) => Number(document.getElementById('time').textContent.split(' ')[0]) > t + 1, t0, SLOW);
  assert.ok(Math.abs((await energy(page)) - 3.125) < 1e-5, `E = ${await energy(page)}`);
  // A typo: said with its column as one types, refused when applied; the oscillator runs on.
  await page.fill('#set-lagrangian', 'theta_dot^2/2 - thetaa^2');
  assert.match(await page.textContent('#custom-status'), /unknown name `thetaa` at column 17; coordinates are theta.*The last good system keeps running/);
  await page.locator('#set-lagrangian').blur();
  assert.equal(await page.evaluate(() => document.getElementById('custom-status').classList.contains('error')), true);
  assert.match(page.url(), /lagrangian=theta_dot%5E2%2F2\+-\+theta\*\*2%2F2/, 'the link keeps the good one');
  const t1 = await time(page);
  await page.waitForFunction((t) => Number(document.getElementById('time').textContent.split(' ')[0]) > t + 0.5, t1, SLOW);
  assert.ok(Math.abs((await energy(page)) - 3.125) < 1e-5);
  await page.screenshot({ path: join(artifacts, 'custom-typed.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a preset trains (the loss falls) and its link reopens the same system', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?system=custom&hidden=32,32`);
  await modelsReady(page, SLOW.timeout);
  await page.selectOption('#custom-preset', 'spring-pendulum');
  await page.waitForFunction(() => /^spring pendulum: /.test(document.getElementById('custom-status').textContent));
  assert.equal(await page.inputValue('#set-coords'), 'r,theta');
  assert.equal(await page.inputValue('#set-x0'), '1.2, 0.5, 0, 0');
  assert.match(await page.textContent('#trajectory-caption'), /^r, theta over time \(one dash per coordinate\)/);
  const e0 = await energy(page);
  await page.click('#train');
  const test = () => page.evaluate(() => Number(document.getElementById('test-loss').textContent));
  await page.waitForFunction(() => Number.isFinite(Number(document.getElementById('test-loss').textContent)), null, SLOW);
  const first = await test();
  await page.waitForFunction(() => Number(document.getElementById('train-step').textContent.replace(/,/g, '')) > 3000, null, SLOW);
  await page.waitForTimeout(1200); // a test loss after step 3,000
  assert.ok((await test()) < 0.5 * first, `test loss ${first} -> ${await test()}`);
  assert.match(await page.textContent('#legend li[data-slot="lnn"] small'), /trained here/);
  await page.click('#train'); // pause
  await page.screenshot({ path: join(artifacts, 'custom-trained.png') });
  // The link alone brings the system back.
  const link = page.url();
  const again = await openPage(ctx.browser, link);
  await modelsReady(again.page, SLOW.timeout);
  assert.match(await again.page.textContent('#custom-status'), /^L = m\*\(r_dot\^2 \+ r\^2\*theta_dot\^2\)\/2 \+ m\*g\*r\*cos\(theta\) - k\*\(r - l\)\^2\/2: 2 coordinates/);
  assert.equal(await energy(again.page), e0);
  assert.deepEqual([...errors, ...again.errors], []);
  await again.page.close();
  await page.close();
});

test('a link with a broken Lagrangian says so and runs the pendulum preset', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?system=custom&lagrangian=x_dot%5E2&coords=x&params=g`);
  await modelsReady(page, SLOW.timeout);
  assert.match(await page.textContent('#status'), /lagrangian: params: "g" is not name=value.*using the pendulum preset/);
  assert.equal(await page.inputValue('#set-lagrangian'), 'm*l^2*theta_dot^2/2 + m*g*l*cos(theta)');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an HNN on canonical (q, p) trains on a typed Lagrangian, p = ∂L/∂q̇ from the engine', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?system=custom&model=hnn&coordinates=canonical&hidden=16,16`);
  await modelsReady(page, SLOW.timeout);
  const legend = '#legend li[data-slot="hnn-canonical"]';
  assert.match(await page.textContent(`${legend} small`), /untrained .*press Train/);
  await page.click('#train');
  await page.waitForFunction(() => Number(document.getElementById('train-step').textContent.replace(/,/g, '')) > 1000, null, SLOW);
  await page.waitForFunction((l) => /trained here/.test(document.querySelector(`${l} small`).textContent), legend, SLOW);
  assert.equal(await page.getAttribute(legend, 'data-diverged'), null, await page.textContent(`${legend} small`));
  assert.deepEqual(errors, []);
  await page.close();
});

test('embedded, the editor shows only with a control the link lists', async () => {
  const plain = await openPage(ctx.browser, `${ctx.server.base}?system=custom&embed=1&controls=play,reset`);
  await modelsReady(plain.page, SLOW.timeout);
  assert.equal(await plain.page.isVisible('#custom-panel'), false);
  const editing = await openPage(ctx.browser, `${ctx.server.base}?system=custom&embed=1&controls=play,preset,lagrangian`);
  await modelsReady(editing.page, SLOW.timeout);
  assert.equal(await editing.page.isVisible('#set-lagrangian'), true);
  assert.equal(await editing.page.isVisible('#set-coords'), false);
  assert.deepEqual([...plain.errors, ...editing.errors], []);
  await plain.page.close();
  await editing.page.close();
});

test('a start where the typed L is undefined is refused with the reason, in the field and in a link', async () => {
  const url = `${ctx.server.base}?system=custom&lagrangian=log(theta)%2Btheta_dot%5E2&coords=theta&params=&ranges=0.5:2,-1:1`;
  const { page, errors } = await openPage(ctx.browser, url);
  await modelsReady(page, SLOW.timeout);
  const before = await page.inputValue('#set-x0');
  await page.fill('#set-x0', '-1, 0');
  await page.locator('#set-x0').blur();
  await page.waitForFunction(() => /cannot be used at this state/.test(document.getElementById('status').textContent));
  assert.equal(await page.inputValue('#set-x0'), before, 'the old start is kept');
  const linked = await openPage(ctx.browser, `${url}&x0=-1,0`);
  await modelsReady(linked.page, SLOW.timeout);
  assert.match(await linked.page.textContent('#status'), /cannot be used at this state.*starting from the default state instead/);
  assert.deepEqual([...errors, ...linked.errors], []);
  await linked.page.close();
  await page.close();
});

test('the <lnn-demo> widget takes a typed Lagrangian as attributes', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}lecture-notes.html`, { width: 900, height: 900 });
  await page.waitForFunction(() => customElements.get('lnn-demo'));
  await page.evaluate(() => {
    const el = document.createElement('lnn-demo');
    for (const [k, v] of Object.entries({ system: 'custom', lagrangian: 'x_dot^2/2 - x^4/4', coords: 'x', params: '', ranges: '-2:2,-2:2', controls: 'play,lagrangian' })) el.setAttribute(k, v);
    document.body.append(el);
  });
  let frame;
  for (let i = 0; i < 200 && !frame; i++) {
    frame = page.frames().find((f) => f.url().includes('system=custom'));
    if (!frame) await page.waitForTimeout(100);
  }
  assert.ok(frame, 'an embedded page of the typed system');
  await frame.waitForFunction(() => document.body.dataset.modelsReady === '1', null, SLOW);
  assert.match(await frame.textContent('#custom-status'), /^L = x_dot\^2\/2 - x\^4\/4: 1 coordinate/);
  assert.equal(await frame.inputValue('#set-lagrangian'), 'x_dot^2/2 - x^4/4');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a link\'s Lagrangian is the one the system menu switches to', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?lagrangian=x_dot%5E2%2F2+-+x%5E4%2F4&coords=x&params=&ranges=-2:2,-2:2`);
  await modelsReady(page, SLOW.timeout);
  await page.selectOption('#set-system', 'custom');
  await page.waitForFunction(() => document.body.dataset.system === 'custom' && document.body.dataset.modelsReady === '1');
  assert.match(await page.textContent('#custom-status'), /^L = x_dot\^2\/2 - x\^4\/4: 1 coordinate/);
  assert.equal(await page.inputValue('#set-x0'), '1, 1', 'the start from this L\'s ranges');
  assert.deepEqual(errors, []);
  await page.close();
});
