// The built site served below the root of a host (https://host/course/lnn/), as course sites host
// it: every file is found, the page animates and trains, the lecture notes' widgets load; and a
// module that cannot be loaded is said on the page instead of "loading…" for ever.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelsReady, openPage, useServerAndBrowser } from './harness.mjs';

const ctx = useServerAndBrowser({ prefix: 'course/lnn/' });
const SLOW = { timeout: 60000 };

test('below a sub-path the page loads every file, animates and trains', async () => {
  assert.match(ctx.server.base, /\/course\/lnn\/$/);
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}?hidden=16,16&batch=16&steps=30000`);
  await modelsReady(page, SLOW.timeout);
  await page.click('#train');
  await page.waitForFunction(() => Number(document.getElementById('loss').dataset.step ?? 0) > 200, null, SLOW);
  assert.match(await page.inputValue('#link'), /\/course\/lnn\/(index\.html)?\?/, 'the share link keeps the sub-path');
  assert.deepEqual(errors, [], 'no request failed and nothing was thrown');
  await page.close();
});

test('below a sub-path the lecture notes\' widgets load the page', async () => {
  const { page, errors } = await openPage(ctx.browser, `${ctx.server.base}lecture-notes.html`);
  const frames = () => page.frames().filter((f) => f.url().includes('embed=1'));
  for (let i = 0; i < 200 && frames().length < 2; i++) await page.waitForTimeout(100);
  assert.equal(frames().length, 2, `two embedded pages, got ${page.frames().map((f) => f.url())}`);
  for (const f of frames()) {
    assert.match(f.url(), /\/course\/lnn\/index\.html\?/);
    await modelsReady(f, SLOW.timeout);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('a WebAssembly module that cannot be loaded is reported on the page', async () => {
  const page = await ctx.browser.newPage();
  await page.route('**/lnn-wasm_bg.wasm', (route) => route.abort());
  await page.goto(ctx.server.base);
  await page.waitForFunction(() => document.getElementById('status').classList.contains('error'), null, { timeout: 15000 });
  assert.match(await page.textContent('#status'), /^error: the WebAssembly module did not load: .*lnn-wasm_bg\.wasm.*Serve the whole dist\/ folder/);
  await page.close();
});
