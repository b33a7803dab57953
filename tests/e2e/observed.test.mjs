// Training on observed trajectories in the page: the system observed at a rate with noise, and
// a dropped trajectory file (its errors said with line and column).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { artifacts, modelsReady, openPage, useServerAndBrowser } from './harness.mjs';

const ctx = useServerAndBrowser();

const stepOf = (page) => page.evaluate(() => Number(document.body.dataset.trainStep ?? 0));

/** Three trajectories of two coordinates, 100 samples each, in the trajectory file format. */
function csv() {
  let s = 'trajectory,t,a,b\n';
  for (let k = 0; k < 3; k++) {
    for (let i = 0; i < 100; i++) {
      const t = 0.05 * i;
      s += `${k},${t},${Math.cos(t + k)},${0.5 * Math.sin(2 * t - k)}\n`;
    }
  }
  return s;
}

const file = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

test('the page observes its system at the chosen rate and noise, draws the samples and trains on them', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?data=observed&sampling=0.1&noise=0.01`);
  await modelsReady(page);
  // 50 trajectories of 10 s at 0.1 s: 101 samples each.
  assert.equal(await page.evaluate(() => document.body.dataset.observedSamples), '5050');
  assert.equal(await page.inputValue('#set-data'), 'observed');
  await page.evaluate(() => { document.getElementById('data-settings').open = true; });
  assert.match(await page.textContent('#observed-caption'), /50 trajectories, 5050 samples every 0\.1 s, noise σ = 0\.01/);
  await page.click('#train');
  await page.waitForFunction(() => Number(document.body.dataset.trainStep ?? 0) > 300, null, { timeout: 60000 });
  assert.equal(await page.textContent('#train-status'), '');
  await page.locator('#data-settings').screenshot({ path: join(artifacts, 'observed.png') });
  // The discrete method, chosen in the panel: a fresh run that trains too.
  await page.selectOption('#set-method', 'discrete');
  await page.waitForFunction(() => Number(document.body.dataset.trainStep ?? 0) < 300);
  await page.waitForFunction(() => Number(document.body.dataset.trainStep ?? 0) > 100, null, { timeout: 60000 });
  assert.match(await page.inputValue('#link'), /data=observed/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a dropped trajectory file trains the model, and a bad one is refused with its line and column', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.base);
  await modelsReady(page);
  await page.evaluate(() => { document.getElementById('data-settings').open = true; });
  await page.setInputFiles('#trajectories', file('bad.csv', 't,a,b\n0,1,2\n0.1,NaN,2\n'));
  await page.waitForFunction(() => document.getElementById('data-status').textContent !== '');
  assert.match(await page.textContent('#data-status'), /bad\.csv: line 3, column 2: `NaN` is not a finite number/);
  assert.equal(await page.inputValue('#set-data'), 'accelerations', 'nothing changed');
  await page.setInputFiles('#trajectories', file('one.csv', 't,x\n0,1\n0.1,2\n0.2,3\n'));
  await page.waitForFunction(() => /one\.csv has 1 coordinates/.test(document.getElementById('data-status').textContent));
  await page.setInputFiles('#trajectories', file('mine.csv', csv()));
  await page.waitForFunction(() => document.body.dataset.observedSamples === '300');
  assert.equal(await page.inputValue('#set-data'), 'observed');
  assert.match(await page.textContent('#observed-caption'), /^mine\.csv: 3 trajectories, 300 samples/);
  assert.equal(await page.isDisabled('#set-sampling'), true, 'the file has its own sampling');
  await page.click('#train');
  await page.waitForFunction(() => Number(document.body.dataset.trainStep ?? 0) > 300, null, { timeout: 60000 });
  assert.equal(await page.textContent('#train-status'), '');
  // Back to exact accelerations: the file is let go.
  await page.selectOption('#set-data', 'accelerations');
  await page.waitForFunction(() => document.getElementById('observed-figure').hidden);
  assert.deepEqual(errors, []);
  await page.close();
});
