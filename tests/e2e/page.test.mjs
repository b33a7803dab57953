// The real page, built by Trunk, in a real headless browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { artifacts, canvasDigest, openPage, useServerAndBrowser } from './harness.mjs';

const ctx = useServerAndBrowser();


const framesDrawn = (page) => page.evaluate(() => Number(document.body.dataset.frames ?? 0));

test('the page loads, shows the version and draws a moving pendulum without errors', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.base);
  await page.waitForFunction(() => Number(document.body.dataset.frames ?? 0) > 5, null, { timeout: 20000 });
  assert.match(await page.textContent('#version'), /^\d+\.\d+\.\d+$/);
  const a = await canvasDigest(page);
  await page.waitForTimeout(500);
  const b = await canvasDigest(page);
  assert.notEqual(a, b, 'the canvas should change while the pendulum swings');
  // The true system conserves energy: the readout stays tiny.
  const drift = Number(await page.textContent('#drift'));
  assert.ok(drift < 1e-6, `energy drift readout ${drift}`);
  await page.screenshot({ path: join(artifacts, 'page-desktop.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('pause stops the motion and space resumes it', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.base);
  await page.waitForFunction(() => Number(document.body.dataset.frames ?? 0) > 5, null, { timeout: 20000 });
  await page.click('#play');
  assert.equal(await page.textContent('#play'), 'Play');
  const t0 = await page.textContent('#time');
  await page.waitForTimeout(300);
  assert.equal(await page.textContent('#time'), t0, 'time must not advance while paused');
  await page.keyboard.press('Space');
  assert.equal(await page.textContent('#play'), 'Pause');
  await page.waitForTimeout(300);
  assert.notEqual(await page.textContent('#time'), t0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('dragging the lower bob sets a new initial state', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.base);
  await page.waitForFunction(() => Number(document.body.dataset.frames ?? 0) > 2, null, { timeout: 20000 });
  await page.click('#play'); // pause
  await page.click('#reset'); // back to the initial angles (1, 2) at rest
  const energyBefore = await page.textContent('#energy');
  // The drawing's own layout: pivot at the centre, `scale` pixels per metre of arm.
  const { w, L } = await page.evaluate(async () => {
    const view = await import('./js/pendulum-view.js');
    const c = document.getElementById('stage');
    return { w: c.width, L: view.layout(c) };
  });
  const box = await page.locator('#stage').boundingBox();
  const s = box.width / w;
  const cx = box.x + L.cx * s, cy = box.y + L.cy * s, arm = L.scale * s;
  const [t1, t2] = [1, 2];
  const bx = cx + arm * (Math.sin(t1) + Math.sin(t2)), by = cy + arm * (Math.cos(t1) + Math.cos(t2));
  // Drag the lower bob to hang straight below the upper one.
  await page.mouse.move(bx, by);
  await page.mouse.down();
  await page.mouse.move(cx + arm * Math.sin(t1), cy + arm * Math.cos(t1) + arm, { steps: 8 });
  await page.mouse.up();
  await page.waitForTimeout(100);
  assert.equal(await page.textContent('#time'), '0.00 s', 'dragging restarts the clock');
  const energyAfter = await page.textContent('#energy');
  // Hanging lower arm: lower potential energy than the start with the lower arm raised.
  assert.ok(Number(energyAfter) < Number(energyBefore) - 1, `energy ${energyBefore} -> ${energyAfter}`);
  // The dragged state applies to every rollout: each panel's lower bob, in its own colour, is
  // where the drag put it (checked on the pixels at the bob's centre).
  const colours = await page.evaluate(async ([a, b]) => {
    const view = await import('./js/pendulum-view.js');
    const c = document.getElementById('stage');
    const ctx = c.getContext('2d');
    return [0, 1, 2].map((i) => {
      const [, [x, y]] = view.bobs([a, b], view.layout(c, i));
      return [...ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data.slice(0, 3)];
    });
  }, [t1, 0]);
  const near = (got, want) => got.every((v, i) => Math.abs(v - want[i]) < 40);
  assert.ok(near(colours[1], [240, 160, 48]), `LNN bob colour ${colours[1]}`);
  assert.ok(near(colours[2], [108, 182, 255]), `baseline bob colour ${colours[2]}`);
  await page.screenshot({ path: join(artifacts, 'page-after-drag.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the layout fits a phone-width screen', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.base, { width: 390, height: 844 });
  await page.waitForFunction(() => Number(document.body.dataset.frames ?? 0) > 2, null, { timeout: 20000 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
  await page.screenshot({ path: join(artifacts, 'page-phone.png'), fullPage: true });
  // The relativistic view, and a fourth rollout panel (an HNN trained on the double pendulum).
  for (const [query, shot] of [['?system=relativistic', 'page-phone-relativistic.png'], ['?model=hnn', null]]) {
    await page.goto(ctx.server.base + query);
    await page.waitForFunction(() => document.body.dataset.modelsReady === '1' && Number(document.body.dataset.frames ?? 0) > 2, null, { timeout: 20000 });
    const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(over <= 0, `${query}: horizontal overflow of ${over}px`);
    if (shot) await page.screenshot({ path: join(artifacts, shot), fullPage: true });
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('the learned rollouts step with the variational integrator when asked, the baseline with RK4', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?integrator=variational`);
  await page.waitForFunction(() => document.body.dataset.modelsReady === '1' && Number(document.body.dataset.frames ?? 0) > 30, null, { timeout: 60000 });
  const how = () => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#legend li')].map((li) => [li.dataset.slot, [li.dataset.integrator ?? '', li.dataset.diverged ?? '']])));
  const on = await how();
  assert.deepEqual(on.lnn, ['variational', ''], JSON.stringify(on));
  assert.deepEqual(on.baseline, ['rk4', ''], JSON.stringify(on)); // no Lagrangian to step
  assert.match(await page.textContent('#legend li[data-slot="lnn"]'), /variational integrator/);
  assert.equal(await page.inputValue('#set-integrator'), 'variational');
  // Back to RK4 through the control: the rollouts restart, and the link keeps the choice.
  await page.selectOption('#set-integrator', 'rk4');
  await page.waitForFunction(() => document.querySelector('#legend li[data-slot="lnn"]')?.dataset.integrator === 'rk4');
  assert.doesNotMatch(await page.inputValue('#link'), /integrator=/);
  await page.selectOption('#set-integrator', 'variational');
  await page.waitForFunction(() => document.querySelector('#legend li[data-slot="lnn"]')?.dataset.integrator === 'variational');
  assert.match(await page.inputValue('#link'), /integrator=variational/);
  await page.waitForTimeout(1000);
  assert.equal((await how()).lnn[1], '', 'the variational LNN rollout keeps going');
  assert.deepEqual(errors, []);
  await page.close();
});
