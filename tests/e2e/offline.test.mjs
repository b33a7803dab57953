// The single offline file (dist/lnn-web-offline.html, scripts/offline.mjs) opened from file://
// with every network request refused: it animates, trains, gives the energy error, saves and loads.
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { artifacts, canvasDigest, launch, modelsReady } from './harness.mjs';

const FILE = join(import.meta.dirname, '..', '..', 'dist', 'lnn-web-offline.html');
const SLOW = { timeout: 120000 };
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A page of a context that refuses every request that is not for the file itself. */
async function offlinePage(query = '') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const refused = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    refused.push(url);
    return route.abort();
  });
  await context.setOffline(true);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${pathToFileURL(FILE).href}${query}`);
  return { page, errors, refused, context };
}

test('the offline file is one self-contained file of a stated size', async () => {
  const html = await readFile(FILE, 'utf8');
  const { size } = await stat(FILE);
  assert.ok(size > 1e6 && size < 4e6, `${size} bytes`); // the wasm alone is ~0.8 MB
  assert.doesNotMatch(html, /<(?:script|link|img)[^>]*(?:src|href)="(?!data:|https?:\/\/arxiv)[^"]+"/, 'no file it would fetch');
});

test('opened from file:// with no network, the offline file animates, trains, scores, saves and loads', async () => {
  const { page, errors, refused, context } = await offlinePage('?hidden=16,16&batch=16');
  await modelsReady(page, SLOW.timeout);
  const d0 = await canvasDigest(page);
  await page.waitForTimeout(500);
  assert.notEqual(await canvasDigest(page), d0, 'the stage animates');
  // Training in the (classic) worker.
  await page.click('#train');
  await page.waitForFunction(() => Number(document.body.dataset.trainStep) > 500, null, SLOW);
  await page.click('#train');
  // The energy error of the shipped LNN (its own worker).
  await page.click('.energy-row[data-slot="baseline"] button');
  await page.waitForFunction(() => document.querySelector('.energy-row[data-slot="baseline"]').dataset.state === 'done', null, SLOW);
  assert.match(await page.textContent('.energy-row[data-slot="baseline"] .energy-result'), /\d/);
  // Save the model in training, then load it back.
  const [download] = await Promise.all([page.waitForEvent('download', SLOW), page.click('#save')]);
  const saved = await readFile(await download.path(), 'utf8');
  assert.equal(JSON.parse(saved).hidden.join(','), '16,16');
  await page.setInputFiles('#load', { name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(saved) });
  await page.waitForFunction(() => document.getElementById('weights-status').textContent !== '', null, SLOW);
  assert.match(await page.textContent('#weights-status'), /^loaded mine\.json/);
  await page.screenshot({ path: join(artifacts, 'offline.png') });
  assert.deepEqual(refused, [], 'nothing asked for the network');
  assert.deepEqual(errors, []);
  await context.close();
});
