// The page and the lecture-notes widgets in Firefox (Debian's ESR, driven through geckodriver:
// Playwright's Firefox is a build of its own that this network cannot download).
// SKIP_FIREFOX=1 skips it, as it does the wasm-pack Firefox run (scripts/test.sh).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { artifacts, serveDist } from './harness.mjs';
import { firefox, until } from './webdriver.mjs';

const skip = process.env.SKIP_FIREFOX === '1' ? 'SKIP_FIREFOX=1' : false;
let server, ff;
before(async () => {
  if (skip) return;
  server = await serveDist();
  ff = await firefox({ width: 1100, height: 900 });
});
after(async () => {
  await ff?.close();
  server?.stop();
});

test('the page loads, animates and trains in Firefox', { skip }, async () => {
  await ff.go(`${server.base}?hidden=16,16&batch=16&steps=100000`);
  await until(ff, () => document.body.dataset.modelsReady === '1' && Number(document.getElementById('time').textContent.split(' ')[0]) > 0.5, 90000);
  const status = await ff.run(() => document.getElementById('status').className);
  assert.doesNotMatch(status, /error/);
  await ff.run(() => document.getElementById('train').click());
  await until(ff, () => Number(document.getElementById('loss').dataset.step) > 100, 60000);
  writeFileSync(join(artifacts, 'firefox-page.png'), await ff.screenshot());
});

test('the lecture-notes widgets show no scrollbar strips in Firefox', { skip }, async () => {
  await ff.go(`${server.base}lecture-notes.html`);
  const frames = await until(ff, () => {
    const fs = [...document.querySelectorAll('lnn-demo')].map((d) => d.shadowRoot.querySelector('iframe'));
    if (fs.length < 2 || !fs.every((f) => f.contentDocument?.body?.dataset.modelsReady === '1')) return null;
    return fs.map((f) => {
      const de = f.contentDocument.documentElement;
      return { vertical: f.contentWindow.innerWidth - de.clientWidth, horizontal: f.contentWindow.innerHeight - de.clientHeight };
    });
  }, 90000);
  // Both widgets had 12 px scrollbars on each side before the frame stopped scrolling.
  assert.deepEqual(frames, [{ vertical: 0, horizontal: 0 }, { vertical: 0, horizontal: 0 }]);
  writeFileSync(join(artifacts, 'firefox-lecture-notes.png'), await ff.screenshot());
});

test('a typed Lagrangian runs, checks as one types and trains in Firefox', { skip }, async () => {
  await ff.go(`${server.base}?system=custom&hidden=16,16`);
  await until(ff, () => document.body.dataset.modelsReady === '1' && Number(document.getElementById('time').textContent.split(' ')[0]) > 0.5, 90000);
  assert.match(await ff.run(() => document.getElementById('custom-status').textContent), /^L = m\*l\^2\*theta_dot\^2\/2 \+ m\*g\*l\*cos\(theta\): 1 coordinate/);
  // Typing (an input event) shows the engine's error with its column.
  const said = await ff.run(() => {
    const el = document.getElementById('set-lagrangian');
    el.value = 'theta_dot^2 + thetaa';
    el.dispatchEvent(new Event('input', { bubbles: true }));
    return document.getElementById('custom-status').textContent;
  });
  assert.match(said, /unknown name `thetaa` at column 15/);
  await ff.run(() => document.getElementById('train').click());
  await until(ff, () => Number(document.getElementById('loss').dataset.step) > 100, 60000);
  writeFileSync(join(artifacts, 'firefox-custom.png'), await ff.screenshot());
});
