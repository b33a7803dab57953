// Shared set-up of the end-to-end tests: serve dist/ on loopback and drive Debian's Chromium.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifacts = join(root, 'tests', 'artifacts');
mkdirSync(artifacts, { recursive: true });

/** A TCP port on loopback that nothing listens on now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * Serves `dist/` (built by `trunk build`) on 127.0.0.1; returns its base URL and a stop(). With
 * `prefix` (e.g. 'course/lnn/') the site is served below that path, as a course site hosts it.
 */
export async function serveDist({ prefix = '' } = {}) {
  const port = await freePort();
  let dir = join(root, 'dist');
  let cleanup = () => {};
  if (prefix) {
    const top = mkdtempSync(join(tmpdir(), 'lnn-site-'));
    const parts = prefix.replace(/\/$/, '').split('/');
    mkdirSync(join(top, ...parts.slice(0, -1)), { recursive: true });
    symlinkSync(dir, join(top, ...parts));
    dir = top;
    cleanup = () => rmSync(top, { recursive: true, force: true });
  }
  const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir], {
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}/${prefix}`;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(base);
      if (r.ok) return { base, stop: () => { server.kill(); cleanup(); } };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  cleanup();
  throw new Error(`the static server on ${base} did not start`);
}

/** Headless Chromium with the flags this closed network needs. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-quic',
    ], // Playwright gives every launch a fresh, empty profile directory of its own.
  });
}

/** Opens a page that records console errors and uncaught exceptions. */
export async function openPage(browser, url, viewport = { width: 1100, height: 800 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  await page.goto(url);
  return { page, errors };
}

/**
 * Serves dist/ and launches Chromium once for a test file (before/after hooks); the returned
 * object's `server` and `browser` are set once the hook has run.
 */
export function useServerAndBrowser(options) {
  const ctx = { server: null, browser: null };
  before(async () => {
    ctx.server = await serveDist(options);
    ctx.browser = await launch();
  });
  after(async () => {
    await ctx.browser?.close();
    ctx.server?.stop();
  });
  return ctx;
}

/**
 * Waits until the shipped models are loaded and a few frames are drawn. An embedded page (a
 * frame) is scrolled into view first: off-screen it draws nothing (visibility.js).
 */
export async function modelsReady(page, timeout = 60000) {
  if (page.parentFrame?.()) await (await page.frameElement()).scrollIntoViewIfNeeded();
  return page.waitForFunction(
    () => document.body.dataset.modelsReady === '1' && Number(document.body.dataset.frames ?? 0) > 3, null, { timeout },
  );
}

/** The frame of `page` whose URL contains `part`, once there is one (`tries` × 0.1 s). */
export async function frameWith(page, part, tries = 200) {
  for (let i = 0; i < tries; i++) {
    const f = page.frames().find((fr) => fr.url().includes(part));
    if (f) return f;
    await page.waitForTimeout(100);
  }
  throw new Error(`no frame with ${part} in its URL, got ${page.frames().map((f) => f.url())}`);
}

/** A hash of a canvas's pixels (in a page or frame), to tell whether the drawing changed. */
export const canvasDigest = (frame, id = 'stage') => frame.evaluate((id) => {
  const c = document.getElementById(id);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 0;
  for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]) | 0;
  return h;
}, id);
